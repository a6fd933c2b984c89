"""Where webhook records meet the engine: the one module that knows the landing functions.

Records go through the sync's own path (RowBuilder for typed columns, `_raw`, drift and
quarantine; `warehouse.land` for the keyed upsert and `meta.sync_runs`), with one addition the
sync does not need yet: a record older than the stored one (by `date_mod`) is dropped before
landing, because events arrive late and twice. `keep_newer` is written as the filter that
`land` could take as an option (`land(..., keep_newer="date_mod")`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from etl.engine.rows import RowBuilder
from etl.engine.runtime import utcnow
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from etl.warehouse.tables import RawTable, StateUpdate, quote, rows_frame

SOURCE_NAME = SOURCE.name
CURSOR = "date_mod"
connect = wh.connect


@dataclass(frozen=True)
class Change:
    """One record of one message, in arrival order; `record` is None for a bare deleted id."""

    key: int
    record: dict[str, Any] | None
    deleted: bool
    received_at: datetime


@dataclass
class Applied:
    """What one (scope, resource) batch did to its raw table."""

    resource: str
    scope: int
    received: int = 0
    landed: int = 0
    stale: int = 0
    quarantined: int = 0
    deleted: int = 0


def keep_newer(
    con: duckdb.DuckDBPyConnection, table: RawTable, frame: pl.DataFrame, column: str
) -> pl.DataFrame:
    """The rows of `frame` not older than the stored row of their key (by `column`).

    A tie goes to the incoming row (a repeat is harmless), except that a live row never
    revives a row deleted at the same `column` value: a late repeat of the last update must
    not undo the deletion that followed it.
    """
    if frame.height == 0:
        return frame
    indexed = frame.with_row_index("_i")
    con.register("_incoming", indexed.select(["_i", *table.key, column, "_deleted_at"]).to_arrow())
    try:
        join = " and ".join(f"t.{quote(k)} = b.{quote(k)}" for k in table.key)
        c = quote(column)
        first_key = quote(table.key[-1])
        kept = con.execute(
            f"""select b._i from _incoming b left join {table.name} t on {join}
                where t.{first_key} is null
                   or (b.{c} is not null and (
                        t.{c} is null
                        or b.{c} > t.{c}
                        or (b.{c} = t.{c}
                            and not (t._deleted_at is not null and b._deleted_at is null))))"""
        ).fetchall()
    finally:
        con.unregister("_incoming")
    mask = [False] * frame.height
    for (index,) in kept:
        mask[index] = True
    return frame.filter(pl.Series(mask, dtype=pl.Boolean))


def _mark_deleted(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: int,
    keys: Sequence[int],
    at: datetime,
) -> int:
    """Deleted ids whose message carried no usable record: mark the stored rows."""
    if not keys:
        return 0
    key = quote(table.resource.primary_key[0])
    result = con.execute(
        f"""update {table.name} set _deleted_at = ?
            where {quote(table.scope_column)} = ? and _deleted_at is null
              and {key} in (select unnest(?::bigint[]))""",
        [at, scope, list(keys)],
    ).fetchone()
    return int(result[0]) if result else 0


def _rows(
    builder: RowBuilder, changes: Sequence[Change], applied: Applied
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]], list[int]]:
    synced_at = utcnow()
    rows: list[tuple[tuple[datetime, bool, int], dict[str, Any]]] = []
    quarantined: list[tuple[str, str, str]] = []
    bare: list[int] = []
    for seq, change in enumerate(changes):
        if change.record is None:
            bare.append(change.key)
            continue
        built, bad = builder.build([change.record], synced_at)
        quarantined.extend(bad)
        if not built:
            if change.deleted:
                bare.append(change.key)
            continue
        row = built[0]
        if change.deleted:
            row["_deleted_at"] = change.received_at
        rows.append(((row.get(CURSOR) or datetime.min, change.deleted, seq), row))
    applied.quarantined += len(quarantined)
    # Newest last, as `rows_frame` keeps the last copy of a key; at one date_mod a deletion
    # comes after live copies (the rule `keep_newer` applies across batches), then arrival.
    rows.sort(key=lambda item: item[0])
    return [row for _, row in rows], quarantined, bare


def apply_changes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    resource_name: str,
    scope: int,
    changes: Sequence[Change],
    messages: int,
) -> Applied:
    """Land one resource's changes for one account as a `mode = 'webhook'` run row."""
    resource = SOURCE.resource(resource_name)
    table = RawTable(SOURCE, resource)
    wh.ensure_raw_table(con, table)
    applied = Applied(resource_name, scope, received=len(changes))
    wh.start_run_row(con, run_id, SOURCE_NAME, str(scope), resource_name, "webhook")
    try:
        builder = RowBuilder(
            resource.model, resource.primary_key, table.scope_column, scope, run_id
        )
        rows, quarantined, bare = _rows(builder, changes, applied)
        frame = rows_frame(table, rows) if rows else None
        if frame is not None:
            before = frame.height
            frame = keep_newer(con, table, frame, CURSOR)
            applied.stale = before - frame.height
            applied.landed = frame.height
            applied.deleted += int(frame["_deleted_at"].is_not_null().sum())
        state = StateUpdate(
            source=SOURCE_NAME,
            scope=str(scope),
            resource=resource_name,
            pass_state=None,  # the sync's watermark and checkpoint are not the hooks' business
            run_id=run_id,
            pages=messages,
            rows=applied.landed,
        )
        wh.land(con, table, frame, state, quarantined)
        at = max((c.received_at for c in changes), default=utcnow())
        applied.deleted += _mark_deleted(con, table, scope, bare, at)
        if builder.drift:
            wh.record_drift(con, run_id, SOURCE_NAME, resource_name, builder.drift)
    except Exception as exc:
        wh.end_run_row(
            con, run_id, SOURCE_NAME, str(scope), resource_name,
            status="failed", error=str(exc), pages=messages, rows=0,
        )  # fmt: skip
        raise
    wh.end_run_row(
        con, run_id, SOURCE_NAME, str(scope), resource_name,
        status="ok", error=None, pages=messages, rows=applied.landed,
    )  # fmt: skip
    return applied
