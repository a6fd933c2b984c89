"""The DuckDB-file warehouse: connecting, meta tables, raw-table DDL, landing, state and run rows.

Functions take an open connection (tests and tools call them directly); `DuckDBWarehouse`
binds one connection and is what the engine is given (see `etl.warehouse.protocol`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import arro3.core as a3
import duckdb

from etl.warehouse import children
from etl.warehouse.batch_commits import BatchCommits
from etl.warehouse.batches import columns_table, rows_frame
from etl.warehouse.heap import give_back
from etl.warehouse.keyed import NOW, replace_row, update_row
from etl.warehouse.pandas_lookup import skip_missing_pandas
from etl.warehouse.tables import (
    META_COLUMNS,
    Columns,
    RawTable,
    StateUpdate,
    TableSource,
    batch_rows,
    json_text,
    quote,
)
from etl.warehouse.transaction import rollback, transaction

P = ParamSpec("P")
R = TypeVar("R")

# Keys of `meta.sync_state` are kept by the writes below (`etl.warehouse.keyed`), not by a primary
# key: DuckLake has no constraints, and one statement serves both kinds. (Older files keep their
# key; a delete then an insert of the same key in one transaction is fine with it.)

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
        pass json
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


# Rows per row group the sync writes (DuckDB's default is 122,880). Each automatic checkpoint
# rewrites a table's last, partly filled row group in memory, so with the default the sync's
# peak grows with the catalog up to about 120,000 rows; a smaller group bounds it. The size is
# not stored in the file: it applies to the row groups this connection appends, and readers
# and older row groups are unaffected.
SYNC_ROW_GROUP_SIZE = 16_384

# DuckDB's memory on the sync's connection: without a limit (80 % of the machine) its buffer
# pool keeps every block the sync writes, and the sync's peak grew with the catalog. Beyond the
# limit, written blocks are dropped (read again when needed) and uncommitted ones spill to the
# temporary directory. 32 MB failed an insert (each column being appended pins a block); 48 MB
# saved little more memory than 64 for more CPU (blocks read again). The crashes seen with a
# limit before came from the temporary directory (see `connect`).
SYNC_MEMORY_LIMIT = "64MB"

# WAL the sync lets grow before it checkpoints (DuckDB's default is 16 MB): each checkpoint
# compresses the tables' newest row groups again (FSST, dictionaries), about 40 % of the sync's
# CPU at the default; a larger WAL compresses the same rows fewer times.
SYNC_CHECKPOINT_BYTES = 64 * 2**20

# The sync checkpoints itself, after a batch (`DuckDBWarehouse.land`), so that the C heaps'
# free memory is handed back first: a checkpoint DuckDB starts on its own, inside a commit,
# came on top of it (the peak of a 121,743-row sync was at its first checkpoint) and left
# the memory it had taken in the writer thread's heap, free but resident, for the rest of the
# sync. DuckDB's own trigger stays as a backstop, for a WAL grown by other writes.
SYNC_CHECKPOINT_BACKSTOP = "1GB"

# How the file warehouse stores `_raw`, the records' JSON text (most of a raw table's bytes):
# without a choice, each checkpoint also tries dictionary compression on it, whose analysis
# holds a copy of the row group's distinct texts (nearly every one) outside DuckDB's memory
# limit: 12 MB more peak RSS over a 121,743-row sync, and FSST is what it ends as anyway.
# Tables created from now on keep it; older ones keep DuckDB's choice.
RAW_TEXT_COMPRESSION = "fsst"

# Rows the sync lands before it commits (several batches in one transaction, see
# `etl.warehouse.batch_commits`), and the longest a landed batch waits for its commit. Below
# about 65,000 rows DuckDB still sends the appended rows through the WAL: groups of 16,384 and
# 32,768 gained nothing measurable, 65,536 and 131,072 cut a full sync's CPU by an eighth.
# What a killed sync can lose (and re-read) is at most this much work. Only `fresh` batches
# (appends, the key-range walks of a full sync) are grouped; upserts commit one by one.
COMMIT_ROWS = 65_536
COMMIT_SECONDS = 5.0


def connect(
    path: Path, *, read_only: bool = False, row_group_size: int | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, creating its folder and the meta tables when writing.

    With `row_group_size`, the file is attached with that row group size (an option only
    `ATTACH` takes) and made the default database, under the same name `connect` gives it.
    """
    skip_missing_pandas()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    if row_group_size is None:
        con = duckdb.connect(str(path), read_only=read_only)
    else:
        # Spilled blocks go beside the file, as `duckdb.connect(path)` would put them: an
        # in-memory database's temporary directory is `.tmp` in the working directory, shared by
        # every process started there, and two syncs spilling into the same files crashed.
        con = duckdb.connect(config={"temp_directory": f"{path}.tmp"})
        name = quote(path.stem)
        mode = ", read_only" if read_only else ""
        con.execute(
            f"attach {sql_text(str(path))} as {name} (row_group_size {int(row_group_size)}{mode})"
        )
        con.execute(f"use {name}")
    if not read_only:
        for statement in META_DDL:
            con.execute(statement)
    return con


def sql_text(value: str) -> str:
    """A SQL string literal of `value` (for statements that take no parameters, like ATTACH)."""
    return "'" + value.replace("'", "''") + "'"


def raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The columns of every raw table, from one catalog query (on a lake, one per table costs
    half a second: `information_schema` lists every attached catalog)."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    return columns


def ensure_raw_table(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    existing: set[str] | None = None,
    *,
    raw_compression: str | None = None,
) -> None:
    """Create the table, or add columns a newer record model declares (never drops any).

    `existing`: its stored columns when the caller read them (`raw_columns`).
    `raw_compression`: how a new table stores `_raw` (a DuckDB file's choice; a lake has none).
    """
    con.execute("create schema if not exists raw")
    if existing is None:
        existing = raw_columns(con).get(table.table_name, set())
    if not existing:
        columns = ", ".join(
            f"{quote(n)} {t}"
            + (f" using compression {raw_compression}" if raw_compression and n == "_raw" else "")
            for n, t in table.columns
        )
        con.execute(f"create table if not exists {table.name} ({columns})")
        return
    for name, kind in table.columns:
        if name not in existing:
            con.execute(f"alter table {table.name} add column {quote(name)} {kind}")


def ensure_raw_tables(
    con: duckdb.DuckDBPyConnection,
    source: TableSource,
    existing: Mapping[str, set[str]] | None = None,
    *,
    raw_compression: str | None = None,
) -> None:
    """Create every raw table of a source, empty, so models compile before any sync."""
    stored = raw_columns(con) if existing is None else existing
    for resource in source.resources:
        table = RawTable(source, resource)
        ensure_raw_table(
            con, table, stored.get(table.table_name, set()), raw_compression=raw_compression
        )


def land(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    frame: a3.Table | None,
    state: StateUpdate,
    quarantined: Iterable[tuple[str, str, str]] = (),
    *,
    keep_newer: str | None = None,
    fresh: bool = False,
) -> None:
    """Upsert a batch by key and record progress atomically: all of it or none of it.

    With `keep_newer` (a column), a batch row replaces a stored row only if it is not older
    by that column (see `newer_condition`); the stored row stays otherwise. With `fresh` (no
    stored row can share a key with the batch: `protocol.Warehouse.land`), it is inserted.
    """
    with transaction(con):
        upsert_batch(con, table, frame, keep_newer=keep_newer, fresh=fresh)
        insert_quarantined(con, state, quarantined)
        _write_progress(con, state)


def upsert_batch(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    frame: a3.Table | None,
    *,
    keep_newer: str | None = None,
    fresh: bool = False,
) -> None:
    """The raw-table half of `land` (the caller holds the transaction).

    The frame's JSON columns are typed `arrow.json` (`etl.warehouse.batches`): DuckDB takes
    them as JSON as they are, without parsing every value again as a cast would.
    """
    if frame is None or not frame.num_rows:
        return
    # A fresh batch (no stored row can share its keys) needs no delete: no bounds, no join.
    bounds = None if fresh else key_bounds(table, frame)
    join = " and ".join(f"t.{quote(k)} = b.{quote(k)}" for k in table.key)
    names = ", ".join(quote(n) for n, _ in table.columns)
    try:
        if bounds is not None:
            # Only a stored row inside the batch's key range can be replaced: constant bounds
            # let DuckDB skip the row groups outside it instead of joining the whole table.
            where = f"{join} and {bounds}"
            if keep_newer:
                where += f" and {newer_condition(keep_newer)}"
            # DuckDB reads an arro3 table through a stream it takes once per registration:
            # the table is registered again for the insert.
            con.register("_batch", frame)
            con.execute(f"delete from {table.name} t using _batch b where {where}")
        # After the delete, a key still stored is one whose stored row was newer.
        kept = (
            f" b where not exists (select 1 from {table.name} t where {join} and {bounds})"
            if keep_newer and bounds is not None
            else ""
        )
        con.register("_batch", frame)
        con.execute(f"insert into {table.name} ({names}) select {names} from _batch{kept}")
    finally:
        con.unregister("_batch")


# Key column types whose bounds are written as SQL literals (the values compare as stored).
_LITERAL_KINDS = frozenset({"BIGINT", "VARCHAR"})


def key_bounds(table: RawTable, frame: a3.Table) -> str | None:
    """SQL true for a stored row `t` inside the batch's range of every key column, or None
    when no stored row can share a key with the batch (a key column all null: null never
    equals). Literals, not parameters: only constants reach the scan as zone-map filters."""
    kinds = dict(table.columns)
    terms = []
    for name in table.key:
        values = [v for v in frame.column(name).to_pylist() if v is not None]
        if not values:
            return None
        kind = kinds[name]
        if kind not in _LITERAL_KINDS:
            continue
        low, high = min(values), max(values)
        if isinstance(low, str) and "\x00" in low + high:
            continue  # a NUL cannot be written in a literal: that column is not bounded
        low, high = _literal(low), _literal(high)
        terms.append(f"t.{quote(name)} between {low} and {high}")
    return " and ".join(terms) or "true"


def _literal(value: Any) -> str:
    return sql_text(value) if isinstance(value, str) else str(int(value))


def insert_quarantined(
    con: duckdb.DuckDBPyConnection,
    state: StateUpdate,
    quarantined: Iterable[tuple[str, str, str]],
) -> None:
    """The records of a batch that failed validation, with why (part of `land`'s transaction)."""
    for record_key, reason, record in quarantined:
        con.execute(
            "insert into meta.quarantine values (?, ?, ?, ?, ?, ?, ?, now())",
            [state.run_id, state.source, state.scope, state.resource, record_key, reason, record],
        )


def newer_condition(column: str) -> str:
    """SQL true when batch row `b` may replace stored row `t` of the same key, by `column`.

    A tie goes to the incoming row (a repeat is harmless), except that a live row never
    revives a row deleted at the same value: a late repeat of the last update must not undo
    the deletion that followed it. A row without the column never replaces a stored one.
    """
    c = quote(column)
    return (
        f"(b.{c} is not null and (t.{c} is null or b.{c} > t.{c} or (b.{c} = t.{c} "
        "and not (t._deleted_at is not null and b._deleted_at is null))))"
    )


def mark_deleted(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: Any,
    keys: Sequence[Any],
    at: datetime,
) -> int:
    """Mark the live rows of a scope with these primary keys deleted at `at`; returns how many."""
    if not keys:
        return 0
    key = quote(table.resource.primary_key[0])
    kind = dict(table.columns)[table.resource.primary_key[0]]
    result = con.execute(
        f"""update {table.name} set _deleted_at = ?
            where {quote(table.scope_column)} = ? and _deleted_at is null
              and {key} in (select unnest(?::{kind}[]))""",
        [at, scope, list(keys)],
    ).fetchone()
    return int(result[0]) if result else 0


def run_key(run_id: str, source: str, scope: str, resource: str) -> dict[str, str]:
    """The key of a `meta.sync_runs` row (both kinds of warehouse write it by this key)."""
    return {"run_id": run_id, "source": source, "scope": scope, "resource": resource}


def state_key(source: str, scope: str, resource: str) -> dict[str, str]:
    """The key of a `meta.sync_state` row."""
    return {"source": source, "scope": scope, "resource": resource}


def _write_progress(con: duckdb.DuckDBPyConnection, state: StateUpdate) -> None:
    # Two rows rewritten with every batch: an UPDATE each (a third of the CPU of a read, a
    # delete and an insert, measured), the state row inserted the first time.
    update_row(
        con,
        "meta.sync_runs",
        run_key(state.run_id, state.source, state.scope, state.resource),
        {"pages": state.pages, "rows": state.rows},
    )
    if state.pass_state is not None:
        key = state_key(state.source, state.scope, state.resource)
        values = {"pass": json.dumps(state.pass_state)}
        if not update_row(con, "meta.sync_state", key, values):
            replace_row(con, "meta.sync_state", key, values)


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
    scope: Any,
    *,
    pass_started_at: datetime,
    complete_scan: bool,
    watermark_column: str | None,
) -> int:
    """Close a completed pass: mark vanished rows after a full scan, move the watermark.

    Returns how many rows were marked deleted.
    """
    source, resource = table.source.name, table.resource.name
    with transaction(con):
        marked, values = close_pass(
            con,
            table,
            scope,
            pass_started_at=pass_started_at,
            complete_scan=complete_scan,
            watermark_column=watermark_column,
        )
        replace_row(con, "meta.sync_state", state_key(source, str(scope), resource), values)
    return marked


def close_pass(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: Any,
    *,
    pass_started_at: datetime,
    complete_scan: bool,
    watermark_column: str | None,
) -> tuple[int, dict[str, Any]]:
    """The raw-table half of `finish_pass` (the caller holds the transaction): the rows
    marked deleted, and the values to set on the `meta.sync_state` row."""
    scope_col = quote(table.scope_column)
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
    values: dict[str, Any] = {"last_success_at": NOW, "pass": None}
    if watermark is not None:
        values["watermark"] = watermark
    if complete_scan:
        values["last_full_at"] = NOW
    return marked, values


def count_since(
    con: duckdb.DuckDBPyConnection, table: RawTable, scope: Any, since: datetime
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


def set_run_mode(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, scope: str, resource: str, mode: str
) -> None:
    with transaction(con):
        replace_row(
            con,
            "meta.sync_runs",
            run_key(run_id, source, scope, resource),
            {"mode": mode},
            insert_missing=False,
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
    with transaction(con):
        replace_row(
            con,
            "meta.sync_runs",
            run_key(run_id, source, scope, resource),
            {"ended_at": NOW, "status": status, "error": error, "pages": pages, "rows": rows},
            insert_missing=False,
        )


def mark_interrupted_runs(
    con: duckdb.DuckDBPyConnection, scopes: Sequence[tuple[str, str]] | None = None
) -> int:
    """Runs left 'running' by a killed process (the caller holds the run lock).

    With `scopes` ((source, scope) pairs whose locks the caller holds), only their runs: on a
    lake other processes sync other sources at the same time, and their runs are alive.
    """
    where, params = "status = 'running'", []
    if scopes is not None:
        where += " and list_contains(?::varchar[], source || '/' || scope)"
        params.append([f"{source}/{scope}" for source, scope in scopes])
    row = con.execute(
        f"update meta.sync_runs set status = 'interrupted' where {where}", params
    ).fetchone()
    return int(row[0]) if row else 0


def record_drift(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    resource: str,
    fields: Mapping[str, Any],
) -> None:
    for field_name, example in sorted(fields.items()):
        con.execute(
            "insert into meta.schema_drift values (?, ?, ?, ?, ?, now())",
            [run_id, source, resource, field_name, json_text(example)],
        )


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[Any, ...]]:
    """The run rows of the `limit` most recent runs, newest run first (none: no run table)."""
    try:
        return con.execute(
            f"""with recent as (
                   select run_id, max(started_at) as latest from meta.sync_runs
                   group by run_id order by latest desc limit {int(limit)}
               )
               select r.run_id, r.source, r.scope, r.resource, r.mode, r.started_at,
                      r.ended_at, r.pages, r.rows, r.status, r.error
               from meta.sync_runs r join recent using (run_id)
               order by recent.latest desc, r.started_at""",
        ).fetchall()
    except duckdb.CatalogException:
        return []


def raw_table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Every raw table with its row count, by name."""
    names = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema = 'raw' order by 1"
    ).fetchall()
    counts = []
    for (name,) in names:
        row = con.execute(f"select count(*) from {name}").fetchone()
        counts.append((name, int(row[0]) if row else 0))
    return counts


def batch_frame(table: RawTable, rows: Sequence[dict[str, Any]] | Columns) -> a3.Table | None:
    """The engine's rows (dicts or a column batch) as a typed frame; None when empty."""
    if isinstance(rows, Mapping):
        return columns_table(table, rows) if batch_rows(rows) else None
    return rows_frame(table, rows) if rows else None


def _on_connection(
    fn: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R],
) -> Callable[Concatenate[DuckDBWarehouse, P], R]:
    """A function of a connection as a method of the warehouse that holds it."""

    def method(self: DuckDBWarehouse, /, *args: P.args, **kwargs: P.kwargs) -> R:
        # Whatever it reads or writes sees the landed batches committed first.
        self.commits.commit()
        return fn(self.con, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class DuckDBWarehouse:
    """The warehouse as one DuckDB connection: the file kind of `etl.warehouse.protocol`.

    Each operation is the module function of the same purpose, bound to the connection.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        wal: Path | None = None,
        commit_rows: int = 0,
        commit_seconds: float = 0.0,
    ) -> None:
        self.con = con
        # The file's write-ahead log when this warehouse checkpoints it itself (`open`).
        self.wal = wal
        # Batches share a transaction only when the warehouse commits the last group itself
        # (`open`); otherwise (`commit_rows` 0) each batch commits as it lands.
        self.commits = BatchCommits(con, commit_rows, commit_seconds)

    @classmethod
    @contextmanager
    def open(
        cls,
        path: Path,
        commit_rows: int = COMMIT_ROWS,
        commit_seconds: float = COMMIT_SECONDS,
    ) -> Iterator[DuckDBWarehouse]:
        """Open (creating if needed) the file for writing; closed when the block ends.

        Appended (`fresh`) batches are committed in groups of `commit_rows` rows or
        `commit_seconds` (see `etl.warehouse.batch_commits`), others one by one; the last group
        when the block ends, also when it ends by an error (every batch of a group is whole,
        with its progress row).
        """
        con = connect(path, row_group_size=SYNC_ROW_GROUP_SIZE)
        # The engine writes small batches one at a time: DuckDB's thread pool costs more CPU in
        # hand-offs than it saves on them (measured: about a fifth of the landing CPU).
        con.execute("set threads = 1")
        con.execute(f"set memory_limit = '{SYNC_MEMORY_LIMIT}'")
        con.execute(f"set checkpoint_threshold = '{SYNC_CHECKPOINT_BACKSTOP}'")
        warehouse = cls(con, path.with_name(path.name + ".wal"), commit_rows, commit_seconds)
        try:
            yield warehouse
        except BaseException:
            warehouse.commits.commit_quietly()
            raise
        else:
            warehouse.commits.commit()
        finally:
            # Closing checkpoints what the last automatic checkpoint left: hand the memory
            # the sync freed (its pages, batches and frames) back first, so the two do not add
            # up (a 121,743-row sync: 25 MB given back, peak RSS 215 MB against 224).
            give_back()
            # In a thread of its own: glibc and DuckDB's allocator (jemalloc) keep memory per
            # thread (arenas), and a thread started once the sync's writer has ended takes
            # over the writer's, whose freed memory the checkpoint then reuses; in this thread
            # it took its own (121,743 rows: peak RSS 204 MB against 215).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse-close") as closer:
                closer.submit(con.close).result()

    def commit(self) -> None:
        """Commit the landed batches now, if a group is open (before using `con` directly)."""
        self.commits.commit()

    def ensure_tables(self, source: TableSource) -> None:
        """Create the source's raw tables, or add the columns a newer model declares."""
        self.commit()
        ensure_raw_tables(self.con, source, raw_compression=RAW_TEXT_COMPRESSION)

    mark_interrupted_runs = _on_connection(mark_interrupted_runs)
    start_run = _on_connection(start_run_row)
    set_run_mode = _on_connection(set_run_mode)
    end_run = _on_connection(end_run_row)
    record_drift = _on_connection(record_drift)
    read_state = _on_connection(read_state)

    def land(
        self,
        table: RawTable,
        rows: Sequence[dict[str, Any]] | Columns,
        state: StateUpdate,
        quarantined: Iterable[tuple[str, str, str]] = (),
        *,
        keep_newer: str | None = None,
        fresh: bool = False,
    ) -> None:
        """`land` for rows as the engine builds them (typed into a frame here, in the writer):
        a `fresh` batch in the open commit group, any other committed on its own; after a
        commit, a checkpoint if the WAL has grown past the sync's threshold."""
        frame = batch_frame(table, rows)

        def batch() -> None:
            upsert_batch(self.con, table, frame, keep_newer=keep_newer, fresh=fresh)
            insert_quarantined(self.con, state, quarantined)

        progress = (state.run_id, state.source, state.scope, state.resource)
        count = frame.num_rows if frame is not None else 0
        if not self.commits.land(
            batch,
            count,
            (progress, lambda: _write_progress(self.con, state)),
            # Only appends into an empty key range share a group (see `batch_commits`).
            together=fresh,
        ):
            return
        if self.wal is not None and _file_size(self.wal) >= SYNC_CHECKPOINT_BYTES:
            give_back()
            self.con.execute("checkpoint")

    finish_pass = _on_connection(finish_pass)
    count_since = _on_connection(count_since)
    has_rows = _on_connection(children.has_rows)
    parent_rows = _on_connection(children.parent_rows)
    parent_records = _on_connection(children.parent_records)
    parent_versions = _on_connection(children.parent_versions)
    changed_keys = _on_connection(children.changed_keys)
    members_differ = _on_connection(children.members_differ)
    child_reads = _on_connection(children.child_reads)
    record_child_reads = _on_connection(children.record_child_reads)
    mark_vanished = _on_connection(children.mark_vanished)
    mark_deleted = _on_connection(mark_deleted)


__all__ = [
    "META_COLUMNS",
    "META_DDL",
    "DuckDBWarehouse",
    "RawTable",
    "StateUpdate",
    "connect",
    "count_since",
    "rollback",
    "transaction",
    "end_run_row",
    "ensure_raw_table",
    "ensure_raw_tables",
    "raw_columns",
    "finish_pass",
    "land",
    "batch_frame",
    "close_pass",
    "insert_quarantined",
    "upsert_batch",
    "mark_deleted",
    "mark_interrupted_runs",
    "newer_condition",
    "raw_table_counts",
    "read_state",
    "recent_runs",
    "record_drift",
    "rows_frame",
    "set_run_mode",
    "start_run_row",
]
