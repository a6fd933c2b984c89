"""Nested resources: rows exploded from an array of another resource's landed records.

Nothing is requested: the parent's `_raw` JSON already holds the nested records (a look's
shots, a shot's revisions...). A full pass explodes every live parent; an incremental pass only
the parents landed by the current run, then marks as deleted the rows that vanished from them
and the rows of parents that are gone.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import duckdb

from etl.engine import warehouse as wh
from etl.engine.reread import mark_vanished, parent_link, set_run_mode

if TYPE_CHECKING:
    from etl.engine.sync import ResourceSync

PARENTS_PER_CHUNK = 500


def _has_rows(con: duckdb.DuckDBPyConnection, table: wh.RawTable, scope: Any) -> bool:
    row = con.execute(
        f"select count(*) from {table.name} where {wh.quote(table.scope_column)} = ?", [scope]
    ).fetchone()
    return bool(row and row[0])


def _parent_chunk(
    con: duckdb.DuckDBPyConnection,
    parent: wh.RawTable,
    scope: Any,
    key: str,
    run_id: str | None,
    offset: int,
) -> list[str]:
    where = f"{wh.quote(parent.scope_column)} = ? and _deleted_at is null"
    params: list[Any] = [scope]
    if run_id is not None:
        where += " and _run_id = ?"
        params.append(run_id)
    rows = con.execute(
        f"select _raw from {parent.name} where {where} order by {wh.quote(key)} limit ? offset ?",
        [*params, PARENTS_PER_CHUNK, offset],
    ).fetchall()
    return [row[0] for row in rows]


def explode(raw: str, array: str, inherit: dict[str, str]) -> list[Any]:
    """The nested records of one parent, each given the parent fields named in `inherit`."""
    parent = json.loads(raw)
    items = parent.get(array) if isinstance(parent, dict) else None
    if not isinstance(items, list):
        return []
    copied = {column: parent.get(field) for column, field in inherit.items()}
    # The parent's key wins over a null or stale copy inside the nested record.
    return [{**item, **copied} if isinstance(item, dict) else item for item in items]


async def run_nested(sync: ResourceSync) -> None:
    """Land the nested rows of one scope from the parent table."""
    nested = sync.resource.nested
    assert nested is not None
    parent_resource = sync.source.resource(nested.parent)
    parent = wh.RawTable(sync.source, parent_resource)
    key = parent_resource.primary_key[-1]
    inherit = dict(nested.inherit)
    link = parent_link(sync.resource, parent_resource, inherit)
    has_rows = await sync.engine.db(_has_rows, sync.table, sync.scope_value)
    full = sync.full_refresh or not has_rows or link is None
    if not full:
        sync.result.mode = "incremental"
        await sync.engine.db(
            set_run_mode,
            sync.engine.run_id,
            sync.source.name,
            sync.extract.scope,
            sync.resource.name,
        )
    sync.engine.progress.start(sync.label, None)
    run_filter = None if full else sync.engine.run_id
    offset = 0
    while True:
        chunk = await sync.engine.db(
            _parent_chunk, parent, sync.scope_value, key, run_filter, offset
        )
        records = [item for raw in chunk for item in explode(raw, nested.array, inherit)]
        if records:
            await sync.add_page(records, None, check_repeat=None)
        offset += len(chunk)
        if len(chunk) < PARENTS_PER_CHUNK:
            break
    await sync.flush()
    if not full and link is not None:
        sync.result.deleted = await sync.engine.db(
            mark_vanished,
            sync.table,
            sync.scope_value,
            link,
            parent,
            key,
            sync.pass_started,
            refreshed_run=sync.engine.run_id,
        )
