"""The DuckDB warehouse: raw tables from record models, meta tables, transactional landing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.engine.declarations import Resource, Source
from etl.engine.records import record_columns

META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_raw", "JSON"),
    ("_synced_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_deleted_at", "TIMESTAMP"),
)

META_DDL = (
    "create schema if not exists raw",
    "create schema if not exists meta",
    """create table if not exists meta.sync_runs (
        run_id varchar, source varchar, scope varchar, resource varchar, mode varchar,
        started_at timestamp, ended_at timestamp, pages bigint, rows bigint,
        status varchar, error varchar
    )""",
    """create table if not exists meta.sync_state (
        source varchar, scope varchar, resource varchar,
        watermark timestamp, last_success_at timestamp, last_full_at timestamp,
        pass json,
        primary key (source, scope, resource)
    )""",
    """create table if not exists meta.quarantine (
        run_id varchar, source varchar, scope varchar, resource varchar,
        record_key varchar, reason varchar, record json, quarantined_at timestamp
    )""",
    """create table if not exists meta.schema_drift (
        run_id varchar, source varchar, resource varchar, field varchar,
        example json, seen_at timestamp
    )""",
)

_POLARS_TYPES: dict[str, Any] = {
    "BIGINT": pl.Int64,
    "DOUBLE": pl.Float64,
    "VARCHAR": pl.Utf8,
    "JSON": pl.Utf8,
    "TIMESTAMP": pl.Datetime("us"),
    "DATE": pl.Date,
    "BOOLEAN": pl.Boolean,
}


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating its folder and the meta tables when writing."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        for statement in META_DDL:
            con.execute(statement)
    return con


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class RawTable:
    """Where one resource of one source lands, and its column layout."""

    source: Source
    resource: Resource

    @property
    def name(self) -> str:
        return f"raw.{quote(self.resource.table(self.source.name))}"

    @property
    def scope_column(self) -> str:
        return self.source.scope_column

    @property
    def columns(self) -> list[tuple[str, str]]:
        fields = [(n, t) for n, t in record_columns(self.resource.model) if n != self.scope_column]
        return [(self.scope_column, self.source.scope_type), *fields, *META_COLUMNS]

    @property
    def key(self) -> tuple[str, ...]:
        return (self.scope_column, *self.resource.primary_key)

    def polars_schema(self) -> dict[str, Any]:
        return {name: _POLARS_TYPES[kind] for name, kind in self.columns}


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    """Create the table, or add columns a newer record model declares (never drops any)."""
    con.execute("create schema if not exists raw")
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [table.resource.table(table.source.name)],
        ).fetchall()
    }
    if not existing:
        columns = ", ".join(f"{quote(n)} {t}" for n, t in table.columns)
        con.execute(f"create table if not exists {table.name} ({columns})")
        return
    for name, kind in table.columns:
        if name not in existing:
            con.execute(f"alter table {table.name} add column {quote(name)} {kind}")


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create every raw table of a source, empty, so models compile before any sync."""
    for resource in source.resources:
        ensure_raw_table(con, RawTable(source, resource))


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def rows_frame(table: RawTable, rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """A typed frame of landed rows; JSON columns are serialised here, once."""
    json_columns = [name for name, kind in table.columns if kind == "JSON"]
    prepared = []
    for row in rows:
        item = dict(row)
        for name in json_columns:
            if name in item and not isinstance(item[name], str | None):
                item[name] = _json_text(item[name])
        prepared.append(item)
    frame = pl.DataFrame(prepared, schema=table.polars_schema(), orient="row", strict=False)
    # Within one batch the last copy of a key wins, as it would across batches.
    return frame.unique(subset=list(table.key), keep="last", maintain_order=True)


@dataclass
class StateUpdate:
    """Sync bookkeeping written in the same transaction as the rows it describes."""

    source: str
    scope: str
    resource: str
    pass_state: dict[str, Any] | None
    run_id: str
    pages: int
    rows: int


def land(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    frame: pl.DataFrame | None,
    state: StateUpdate,
    quarantined: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Upsert a batch by key and record progress atomically: all of it or none of it."""
    con.execute("begin transaction")
    try:
        if frame is not None and frame.height:
            con.register("_batch", frame.to_arrow())
            try:
                join = " and ".join(f"t.{quote(k)} = b.{quote(k)}" for k in table.key)
                con.execute(f"delete from {table.name} t using _batch b where {join}")
                names = ", ".join(quote(n) for n, _ in table.columns)
                select = ", ".join(
                    f"cast({quote(n)} as {t})" if t == "JSON" else quote(n)
                    for n, t in table.columns
                )
                con.execute(f"insert into {table.name} ({names}) select {select} from _batch")
            finally:
                con.unregister("_batch")
        for record_key, reason, record in quarantined:
            con.execute(
                "insert into meta.quarantine values (?, ?, ?, ?, ?, ?, ?, now())",
                [
                    state.run_id,
                    state.source,
                    state.scope,
                    state.resource,
                    record_key,
                    reason,
                    record,
                ],
            )
        _write_progress(con, state)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _write_progress(con: duckdb.DuckDBPyConnection, state: StateUpdate) -> None:
    con.execute(
        """update meta.sync_runs set pages = ?, rows = ?
           where run_id = ? and source = ? and scope = ? and resource = ?""",
        [state.pages, state.rows, state.run_id, state.source, state.scope, state.resource],
    )
    if state.pass_state is not None:
        con.execute(
            """insert into meta.sync_state (source, scope, resource, pass)
               values (?, ?, ?, ?)
               on conflict (source, scope, resource) do update set pass = excluded.pass""",
            [state.source, state.scope, state.resource, json.dumps(state.pass_state)],
        )


def read_state(
    con: duckdb.DuckDBPyConnection, source: str, scope: str, resource: str
) -> tuple[datetime | None, dict[str, Any] | None]:
    """The stored watermark and the unfinished pass (if a previous run was interrupted)."""
    row = con.execute(
        "select watermark, pass from meta.sync_state "
        "where source = ? and scope = ? and resource = ?",
        [source, scope, resource],
    ).fetchone()
    if row is None:
        return None, None
    return row[0], (json.loads(row[1]) if row[1] else None)


def finish_pass(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: str,
    *,
    pass_started_at: datetime,
    complete_scan: bool,
    watermark_column: str | None,
) -> int:
    """Close a completed pass: mark vanished rows after a full scan, move the watermark.

    Returns how many rows were marked deleted.
    """
    source, resource = table.source.name, table.resource.name
    scope_col = quote(table.scope_column)
    con.execute("begin transaction")
    try:
        marked = 0
        if complete_scan:
            result = con.execute(
                f"""update {table.name} set _deleted_at = now()
                    where {scope_col} = ? and _deleted_at is null and _synced_at < ?""",
                [scope, pass_started_at],
            ).fetchone()
            marked = int(result[0]) if result else 0
        watermark = None
        if watermark_column:
            row = con.execute(
                f"select max({quote(watermark_column)}) from {table.name} where {scope_col} = ?",
                [scope],
            ).fetchone()
            watermark = row[0] if row else None
        con.execute(
            """insert into meta.sync_state
                   (source, scope, resource, watermark, last_success_at, last_full_at, pass)
               values (?, ?, ?, ?, now(), case when ? then now() end, null)
               on conflict (source, scope, resource) do update set
                   watermark = coalesce(excluded.watermark, meta.sync_state.watermark),
                   last_success_at = excluded.last_success_at,
                   last_full_at = coalesce(excluded.last_full_at, meta.sync_state.last_full_at),
                   pass = null""",
            [source, scope, resource, watermark, complete_scan],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return marked


def count_since(
    con: duckdb.DuckDBPyConnection, table: RawTable, scope: str, since: datetime
) -> int:
    """Rows of a scope landed at or after `since`: the distinct keys a pass has received."""
    row = con.execute(
        f"select count(*) from {table.name} where {quote(table.scope_column)} = ? "
        "and _synced_at >= ?",
        [scope, since],
    ).fetchone()
    return int(row[0]) if row else 0


def start_run_row(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    scope: str,
    resource: str,
    mode: str,
) -> None:
    con.execute(
        "insert into meta.sync_runs values (?, ?, ?, ?, ?, now(), null, 0, 0, 'running', null)",
        [run_id, source, scope, resource, mode],
    )


def end_run_row(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    scope: str,
    resource: str,
    *,
    status: str,
    error: str | None,
    pages: int,
    rows: int,
) -> None:
    con.execute(
        """update meta.sync_runs set ended_at = now(), status = ?, error = ?, pages = ?, rows = ?
           where run_id = ? and source = ? and scope = ? and resource = ?""",
        [status, error, pages, rows, run_id, source, scope, resource],
    )


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Runs left 'running' by a killed process (the caller holds the run lock)."""
    row = con.execute(
        "update meta.sync_runs set status = 'interrupted' where status = 'running'"
    ).fetchone()
    return int(row[0]) if row else 0


def record_drift(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    resource: str,
    fields: dict[str, Any],
) -> None:
    for field_name, example in sorted(fields.items()):
        con.execute(
            "insert into meta.schema_drift values (?, ?, ?, ?, ?, now())",
            [run_id, source, resource, field_name, _json_text(example)],
        )
