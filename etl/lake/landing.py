"""A batch into a lake's raw table: the file's upsert, less the delete when no row can match.

On a lake the upsert's delete is its dearest statement: it scans the table, and a scan asks the
catalog for the table's files (measured: about 20 ms a batch, three times the insert). A
batch's keys can be stored already only if the table held rows when this writer began, or if
this writer landed those keys itself. A raw table's key starts with the scope, and a scope's
rows are written only by the holder of its sync lock (`etl.lake.locks`; the webhook drainer
stays on the file), so a table found empty once the lock is held stays without rows of the
held scopes but this writer's. Its batches are then inserted, and deleted first only if a key
was landed before by this writer: a full sync into a new scope or a new lake deletes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import arro3.core as a3
import duckdb

from etl.lake.attach import LAKE_ALIAS
from etl.warehouse.duckdb_file import upsert_batch
from etl.warehouse.tables import RawTable, quote

Key = tuple[Any, ...]


def empty_raw_tables(con: duckdb.DuckDBPyConnection, metadata_schema: str) -> set[str]:
    """The raw tables holding no row: no data file, no row counted (two catalog reads; not
    `duckdb_tables()`, which lists the catalog database too, a few hundred ms on PostgreSQL).

    Run outside a transaction: should DuckLake's catalog tables read differently one day, no
    table counts as empty (every batch then deletes first, as on the file)."""
    catalog = f"{quote(f'__ducklake_metadata_{LAKE_ALIAS}')}.{quote(metadata_schema)}"
    try:
        tables = con.execute(
            f"select table_name, table_id, file_count from ducklake_table_info({LAKE_ALIAS!r})"
        ).fetchall()
        # Rows ever inserted, files or inlined into the catalog (a lake from before raw rows
        # went to files); deletes aside, so a count above 0 may be an empty table: not taken.
        counted = {
            table_id
            for (table_id,) in con.execute(
                f"select table_id from {catalog}.ducklake_table_stats where record_count > 0"
            ).fetchall()
        }
    except duckdb.Error:
        return set()
    full = {name for name, table_id, files in tables if files or table_id in counted}
    # By name: a model table of the same name in another schema counts against it.
    return {name for name, _, _ in tables} - full


def catalog_raw_columns(
    con: duckdb.DuckDBPyConnection, metadata_schema: str
) -> dict[str, set[str]] | None:
    """The raw tables' columns from DuckLake's catalog tables, one query (`raw_columns` reads
    `information_schema`, which lists the catalog database too: 0.3-0.7 s on PostgreSQL).
    None when they cannot be read so (outside a transaction: the caller falls back)."""
    catalog = f"{quote(f'__ducklake_metadata_{LAKE_ALIAS}')}.{quote(metadata_schema)}"
    try:
        rows = con.execute(
            f"""select t.table_name, c.column_name
                from {catalog}.ducklake_column c
                join {catalog}.ducklake_table t on t.table_id = c.table_id
                join {catalog}.ducklake_schema s on s.schema_id = t.schema_id
                where s.schema_name = 'raw' and c.parent_column is null
                  and c.end_snapshot is null and t.end_snapshot is null
                  and s.end_snapshot is null"""
        ).fetchall()
    except duckdb.Error:
        return None
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def batch_keys(table: RawTable, frame: a3.Table) -> set[Key]:
    columns = [frame.column(name).to_pylist() for name in table.key]
    return set(zip(*columns, strict=True))


def insert_batch(con: duckdb.DuckDBPyConnection, table: RawTable, frame: a3.Table) -> None:
    """The insert of `upsert_batch`, alone (the caller holds the transaction); the frame's
    JSON columns are typed `arrow.json`, taken as JSON without a cast (as there)."""
    con.register("_batch", frame)
    try:
        names = ", ".join(quote(n) for n, _ in table.columns)
        con.execute(f"insert into {table.name} ({names}) select {names} from _batch")
    finally:
        con.unregister("_batch")


class Landing:
    """The keys this writer landed per raw table, and which tables were empty at its start."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        scopes: Sequence[tuple[str, str]] = (),
        empty: Iterable[str] = (),
    ) -> None:
        self.con = con
        # "source/scope" of the scopes whose sync locks this writer holds: only theirs count.
        self.held = {f"{source}/{scope}" for source, scope in scopes}
        # Raw tables without rows once the locks were held (`empty_raw_tables`).
        self._empty = set(empty)
        self._landed: dict[str, set[Key]] = {}
        # The oldest `_synced_at` this writer landed per table and scope.
        self._oldest: dict[tuple[str, str], datetime] = {}

    def started_empty(self, table: RawTable) -> bool:
        return table.table_name in self._empty

    def upsert(
        self, table: RawTable, frame: a3.Table | None, *, keep_newer: str | None = None
    ) -> None:
        """`upsert_batch`, its delete left out when none of the batch's keys can be stored
        (the caller holds the transaction)."""
        if frame is None or not frame.num_rows:
            return
        keys = batch_keys(table, frame)
        landed = self._landed.setdefault(table.table_name, set())
        held = all(f"{table.source.name}/{key[0]}" in self.held for key in keys)
        # Noted before the write: a key noted but not committed costs a delete, never a row.
        fresh = held and self.started_empty(table) and landed.isdisjoint(keys)
        landed |= keys
        scopes = frame.column(table.scope_column).to_pylist()
        for scope, at in zip(scopes, frame.column("_synced_at").to_pylist(), strict=True):
            ident = (table.table_name, str(scope))
            if at is not None and (ident not in self._oldest or at < self._oldest[ident]):
                self._oldest[ident] = at
        if fresh:
            insert_batch(self.con, table, frame)
        else:
            upsert_batch(self.con, table, frame, keep_newer=keep_newer)

    def none_older(self, table: RawTable, scope: Any, since: datetime) -> bool:
        """Whether no row of `scope` can have been synced before `since`: it is held, the table
        was empty and this writer landed none older (a full pass then marks nothing deleted)."""
        if f"{table.source.name}/{scope}" not in self.held or not self.started_empty(table):
            return False
        oldest = self._oldest.get((table.table_name, str(scope)))
        return oldest is None or oldest >= since
