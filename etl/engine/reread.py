"""Partial passes over child resources: re-read only the parents that may have changed.

A child resource with a `Reread` declaration remembers, per parent, the parent's version when
its children were last read (`meta.child_reads`). An incremental pass re-reads the parents whose
version moved or that are not settled, then marks as deleted the children that vanished from
the parents it re-read and the children of parents that are gone. Nested resources use the
same marking for the parents landed in the current run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from etl.engine import warehouse as wh
from etl.engine.declarations import Resource

if TYPE_CHECKING:
    from etl.engine.sync import ResourceSync

CHILD_READS_DDL = """create table if not exists meta.child_reads (
    source varchar, scope varchar, resource varchar, parent_key varchar, version varchar,
    read_at timestamp, primary key (source, scope, resource, parent_key)
)"""


def parent_link(resource: Resource, parent: Resource, inherit: dict[str, str]) -> str | None:
    """The child column holding the parent's key (None: the children cannot be told apart)."""
    key = parent.primary_key[-1]
    return next((child for child, field in inherit.items() if field == key), None)


def _parent_states(
    con: duckdb.DuckDBPyConnection,
    parent: wh.RawTable,
    scope: Any,
    key: str,
    columns: Sequence[str],
) -> dict[str, dict[str, Any]]:
    select = ", ".join(wh.quote(c) for c in (key, *columns))
    rows = con.execute(
        f"select {select} from {parent.name} "
        f"where {wh.quote(parent.scope_column)} = ? and _deleted_at is null",
        [scope],
    ).fetchall()
    return {str(row[0]): dict(zip(columns, row[1:], strict=True)) for row in rows}


def _read_versions(
    con: duckdb.DuckDBPyConnection, source: str, scope: str, resource: str
) -> dict[str, str]:
    con.execute(CHILD_READS_DDL)
    rows = con.execute(
        "select parent_key, version from meta.child_reads "
        "where source = ? and scope = ? and resource = ?",
        [source, scope, resource],
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def _version_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def select_parents(sync: ResourceSync, parents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parents whose children this pass reads; sets the pass mode accordingly."""
    resource = sync.resource
    rule = resource.reread
    assert rule is not None and resource.parent is not None
    parent_resource = sync.source.resource(resource.parent)
    key = parent_resource.primary_key[-1]
    link = parent_link(resource, parent_resource, dict(resource.inherit))
    if sync.full_refresh or link is None or not parents or key not in parents[0]:
        return parents
    parent = wh.RawTable(sync.source, parent_resource)
    columns = [rule.version, *rule.settled]
    states = await sync.engine.db(_parent_states, parent, sync.scope_value, key, columns)
    seen = await sync.engine.db(_read_versions, sync.source.name, sync.extract.scope, resource.name)
    kept = []
    for row in parents:
        state = states.get(str(row[key]), {})
        settled = all(state.get(col) in values for col, values in rule.settled.items())
        version = _version_text(state.get(rule.version))
        if not settled or seen.get(str(row[key])) != version:
            kept.append(row)
    if len(kept) < len(parents):
        sync.result.mode = "incremental"
        await sync.engine.db(
            set_run_mode, sync.engine.run_id, sync.source.name, sync.extract.scope, resource.name
        )
    return kept


async def after_children(sync: ResourceSync, parents: list[dict[str, Any]]) -> None:
    """Remember the versions read; on a partial pass, mark what vanished under those parents."""
    resource = sync.resource
    rule = resource.reread
    assert rule is not None and resource.parent is not None
    parent_resource = sync.source.resource(resource.parent)
    key = parent_resource.primary_key[-1]
    link = parent_link(resource, parent_resource, dict(resource.inherit))
    if link is None:
        return
    parent = wh.RawTable(sync.source, parent_resource)
    keys = [str(row[key]) for row in parents if key in row]

    def write(con: duckdb.DuckDBPyConnection) -> int:
        states = _parent_states(con, parent, sync.scope_value, key, [rule.version])
        con.execute(CHILD_READS_DDL)
        con.execute("begin transaction")
        try:
            for parent_key in keys:
                version = _version_text(states.get(parent_key, {}).get(rule.version))
                con.execute(
                    "insert or replace into meta.child_reads values (?, ?, ?, ?, ?, now())",
                    [sync.source.name, sync.extract.scope, resource.name, parent_key, version],
                )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        if sync.result.mode == "full":
            return 0  # the engine's full-scan marking covers every parent
        return mark_vanished(
            con,
            sync.table,
            sync.scope_value,
            link,
            parent,
            key,
            sync.pass_started,
            refreshed_keys=keys,
        )

    sync.result.deleted = await sync.engine.db_call(write)


def mark_vanished(
    con: duckdb.DuckDBPyConnection,
    table: wh.RawTable,
    scope: Any,
    link: str,
    parent: wh.RawTable,
    parent_key: str,
    pass_started: datetime,
    *,
    refreshed_keys: Sequence[str] | None = None,
    refreshed_run: str | None = None,
) -> int:
    """Mark children not seen under a refreshed parent, and children of parents that are gone.

    Refreshed parents are given by key, or as those landed by run `refreshed_run`.
    """
    scope_col = wh.quote(table.scope_column)
    parent_scope = wh.quote(parent.scope_column)
    link_col = f"cast({wh.quote(link)} as varchar)"
    key_col = f"cast({wh.quote(parent_key)} as varchar)"
    if refreshed_run is not None:
        refreshed = (
            f"{link_col} in (select {key_col} from {parent.name} "
            f"where {parent_scope} = ? and _run_id = ?)"
        )
        refreshed_params: list[Any] = [scope, refreshed_run]
    else:
        refreshed = f"list_contains(?::varchar[], {link_col})"
        refreshed_params = [list(refreshed_keys or [])]
    result = con.execute(
        f"""update {table.name} set _deleted_at = now()
            where {scope_col} = ? and _deleted_at is null and (
                ({refreshed} and _synced_at < ?)
                or {link_col} not in (
                    select {key_col} from {parent.name}
                    where {parent_scope} = ? and _deleted_at is null
                )
            )""",
        [scope, *refreshed_params, pass_started, scope],
    ).fetchone()
    return int(result[0]) if result else 0


def set_run_mode(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, scope: str, resource: str
) -> None:
    con.execute(
        "update meta.sync_runs set mode = 'incremental' "
        "where run_id = ? and source = ? and scope = ? and resource = ?",
        [run_id, source, scope, resource],
    )
