"""The DuckLake kind of `etl.warehouse.protocol.Warehouse`: the file's SQL, commits retried.

The raw-table statements are those of the file (`etl.warehouse.duckdb_file`, written to run on
both); what differs is concurrency. Other processes commit to the same lake, so a commit can
meet a conflict; DuckLake then drops the transaction whole, and the operation is run again
(every write here is one transaction or idempotent statements). Run and checkpoint rows are
written as versions, by inserts only (`etl.lake.meta`), so that syncs of different sources
never delete from the same table, which is what DuckLake counts as a conflict. Tables are
created up front, under the lake-wide `ddl` lock, because concurrent table creation is what
DuckLake handles worst. A sync's writes share a transaction for up to `commit_seconds`
(`etl.lake.group`), and leave out the scans that provably find nothing (`etl.lake.landing`,
`etl.lake.child_reads`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb

from etl.lake import meta
from etl.lake.attach import LAKE_ALIAS, connect_lake, literal
from etl.lake.child_reads import ChildReads
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError
from etl.lake.group import GroupCommit
from etl.lake.landing import Landing, catalog_raw_columns, empty_raw_tables
from etl.lake.locks import DDL_LOCK, lake_locks
from etl.lake.meta import RUNS, STATE, MetaRows, resolve_now
from etl.lake.retry import retry_conflicts
from etl.warehouse import children
from etl.warehouse.duckdb_file import (
    DuckDBWarehouse,
    batch_frame,
    close_pass,
    ensure_raw_tables,
    insert_quarantined,
    raw_columns,
    run_key,
    state_key,
    transaction,
)
from etl.warehouse.keyed import NOW
from etl.warehouse.tables import Columns, RawTable, StateUpdate, TableSource

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

DDL_WAIT_SECONDS = 300.0


State = tuple[datetime | None, dict[str, Any] | None]


def _alone_method(
    method: Callable[Concatenate[DuckDBWarehouse, P], R],
) -> Callable[Concatenate[DuckLakeWarehouse, P], R]:
    """A file operation on the lake: after the shared transaction commits, run again when its
    own commit meets a conflict (it may hold its own transaction: child reads do)."""

    def wrapper(self: DuckLakeWarehouse, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.commit()
        return retry_conflicts(lambda: method(self, *args, **kwargs), method.__name__)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def create_tables(con: duckdb.DuckDBPyConnection, sources: Iterable[TableSource]) -> None:
    """Every meta table and the raw tables of `sources`, in one transaction."""

    listed = list(sources)
    older = meta.old_tables(con)

    def create() -> None:
        with transaction(con):
            meta.upgrade(con, older)
            for statement in (*meta.lake_meta_ddl(), children.CHILD_READS_DDL):
                con.execute(statement)
            existing = raw_columns(con)
            for source in listed:
                ensure_raw_tables(con, source, existing)

    retry_conflicts(create, "create tables")
    write_files_for(con, FILE_SCHEMAS)


META_TABLES = (
    *(table.versions for table in meta.VERSIONED),
    *(table.view for table in meta.VERSIONED),
    "meta.quarantine",
    "meta.schema_drift",
    "meta.child_reads",
)


def tables_ready(
    con: duckdb.DuckDBPyConnection,
    sources: Iterable[TableSource],
    catalog_schema: str | None = None,
) -> bool:
    """Whether every table `create_tables` makes exists with all its columns, and the options
    are set: then a writer needs no DDL, nor the `ddl` lock (queries only, no commit).

    `catalog_schema`: the raw columns are read from the catalog's tables there, when they
    can be (`catalog_raw_columns`)."""
    if not all(meta.exists(con, name) for name in META_TABLES):
        return False
    stored = catalog_raw_columns(con, catalog_schema) if catalog_schema else None
    if stored is None:
        stored = raw_columns(con)
    for source in sources:
        for resource in source.resources:
            table = RawTable(source, resource)
            if not {name for name, _ in table.columns} <= stored.get(table.table_name, set()):
                return False
    return not missing_file_schemas(con, FILE_SCHEMAS)


# Schemas whose inserts always go to Parquet files, whatever `inline_rows`: raw rows are wide
# (the API's JSON in `_raw`), and inlining a batch of them into a PostgreSQL catalog cost ten
# times the CPU of writing a file (measured: 999 pictures, 0.62 s against 0.05 s; 3.9 s under
# load), small batches included; the build's tables likewise (its CPU 12 % lower with files).
# The run and checkpoint rows (`meta`) stay inlined: one or two rows per commit, which as
# files would be hundreds of tiny ones.
FILE_SCHEMAS = ("raw", "seeds", "staging", "marts")


def missing_file_schemas(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[str]:
    """Those of `schemas` whose inlining option is not set to 0 yet."""
    done = {
        entry
        for (entry,) in con.execute(
            f"select scope_entry from {LAKE_ALIAS}.options() "
            "where option_name = 'data_inlining_row_limit' and scope = 'SCHEMA' and value = '0'"
        ).fetchall()
    }
    return [schema for schema in schemas if schema not in done]


def write_files_for(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> None:
    """Turn data inlining off for `schemas` (an option stored in the catalog), once per lake."""
    for schema in missing_file_schemas(con, schemas):
        # The option needs the schema: the build's are created here, before its first run.
        con.execute(f"create schema if not exists {schema}")
        statement = (
            f"call {LAKE_ALIAS}.set_option('data_inlining_row_limit', 0, "
            f"schema => {literal(schema)})"
        )
        retry_conflicts(partial(con.execute, statement), "set option")


def attach_for_writing(
    lake: LakeWarehouse,
    *,
    base_dir: Path,
    command: str,
    env: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A writing connection to the lake; the first attach of a new lake under the `ddl` lock.

    Two writers creating a new lake's catalog at once collide in PostgreSQL
    ("ducklake_metadata already exists"); a PostgreSQL catalog is attached without the lock
    first, and again under it when that failed (the other writer has created it by then).
    File catalogs are attached under the lock, as they always were.
    """
    if lake.catalog_kind == "postgres":
        try:
            return connect_lake(lake, base_dir=base_dir, env=env, inline=True)
        except LakeError:
            log.info("attach failed, again under the ddl lock (a new lake being created?)")
    with lake_locks(lake, [DDL_LOCK], command, base_dir=base_dir, env=env, wait=DDL_WAIT_SECONDS):
        return connect_lake(lake, base_dir=base_dir, env=env, inline=True)


class DuckLakeWarehouse(DuckDBWarehouse):
    """A lake connection as a warehouse; `scopes` are the (source, scope) pairs this process
    holds the sync locks of: only their runs are marked interrupted.

    Writes share a transaction for up to `commit_seconds` (`etl.lake.group`); those that other
    processes must see at once (drift, child reads, deletions, DDL) commit on their own.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        scopes: Sequence[tuple[str, str]] = (),
        created: Iterable[str] = (),
        commit_seconds: float = 0.0,
        empty_tables: Iterable[str] = (),
    ) -> None:
        super().__init__(con)
        self.scopes = list(scopes)
        # Sources whose tables `open_lake` just created: each catalog read costs a round trip.
        self.created = set(created)
        # Run and checkpoint rows, in memory once read or written: only this process writes
        # the held scopes' rows while it holds their locks.
        self.meta = MetaRows(con)
        self.group = GroupCommit(con, self.meta, commit_seconds)
        self.landing = Landing(con, self.scopes, empty_tables)
        self.child_reads_ = ChildReads(con, self.scopes, self.meta.zone)
        self._states_loaded = False
        # Run-row writes that ride with this writer's next transaction (see `start_run`).
        self._pending: list[Callable[[], object]] = []

    @classmethod
    @contextmanager
    def open_lake(
        cls,
        lake: LakeWarehouse,
        *,
        base_dir: Path,
        scopes: Sequence[tuple[str, str]] = (),
        sources: Iterable[TableSource] = (),
        command: str = "sync",
        env: Mapping[str, str] | None = None,
        commit_seconds: float | None = None,
    ) -> Iterator[DuckLakeWarehouse]:
        """Attach the lake for writing, create missing tables (under the `ddl` lock) first."""
        listed = list(sources)
        con = attach_for_writing(lake, base_dir=base_dir, command=command, env=env)
        try:
            # A sync's statements are many and small: DuckDB's worker threads only spin
            # waiting on the catalog (measured: half the CPU of a sync went there).
            con.execute("set threads = 1")
            # Checked without the lock first: writers starting at once then attach and check
            # side by side instead of one after the other (about 3 s each under load).
            if not tables_ready(con, listed, lake.catalog_schema):
                with lake_locks(
                    lake, [DDL_LOCK], command, base_dir=base_dir, env=env, wait=DDL_WAIT_SECONDS
                ):
                    create_tables(con, listed)
        except BaseException:
            con.close()
            raise
        try:
            # Read once the sync locks are held (the caller's), before any transaction.
            empty = empty_raw_tables(con, lake.catalog_schema) if scopes else set()
            warehouse = cls(
                con,
                scopes,
                (source.name for source in listed),
                lake.commit_seconds if commit_seconds is None else commit_seconds,
                empty,
            )
            try:
                yield warehouse
            finally:
                warehouse.close_out()
        finally:
            con.close()

    def _write(self, action: Callable[[], R], what: str, rows: int = 0) -> R:
        """`action` after the pending run rows, in the shared transaction (`etl.lake.group`):
        run again on a conflict, its meta rows kept in memory once committed."""
        pending, self._pending = self._pending, []

        def write() -> R:
            for run_row in pending:
                run_row()
            return action()

        try:
            return self.group.write(write, what, rows)
        except BaseException:
            # Not written: they ride with the next write.
            self._pending[:0] = pending
            raise

    def _alone(self, action: Callable[[], R], what: str) -> R:
        """`action` in a transaction of its own, committed at once (the open one first)."""
        return self.group.alone(action, what)

    def commit(self) -> None:
        """Commit the shared transaction now, if one is open (the writes in it are due)."""
        self.group.commit()

    def close_out(self) -> None:
        """Commit the shared transaction (raised if it fails: rows would be missing), then write
        the pending run rows and delete the run and checkpoint versions this writer
        superseded, in one transaction (the only deletes from those tables a sync makes).

        A failure of that last one is logged, not raised: the sync's own outcome is what to
        report, a run row left 'running' is marked 'interrupted' by the next sync of the
        scope, and superseded versions are hidden by the views until a later sync removes them.
        """
        self.commit()
        pending, self._pending = self._pending, []

        def write() -> None:
            for run_row in pending:
                run_row()
            # After the pending rows: they count among the written ones.
            meta.remove_superseded(self.con, self.meta.written)

        if not pending and not self.meta.written:
            return
        try:
            self._alone(write, "close out")
        except duckdb.Error as exc:
            log.warning("could not write the last run rows of this sync: %s", exc)

    def mark_interrupted_runs(self) -> int:  # type: ignore[override]
        """Runs left 'running' in the scopes this process holds (others may be live)."""
        if not self.scopes:
            return 0
        return self._write(
            lambda: meta.mark_interrupted(self.con, self.scopes, self.meta.next_version()),
            "mark interrupted runs",
        )

    def ensure_tables(self, source: TableSource) -> None:
        """Create the source's tables, unless `open_lake` just did (under the `ddl` lock)."""
        if source.name not in self.created:
            self.commit()
            retry_conflicts(lambda: DuckDBWarehouse.ensure_tables(self, source), "ensure tables")

    def read_state(self, source: str, scope: str, resource: str) -> State:
        """The checkpoint (see the protocol), from one read of every held scope's rows."""
        if not self._states_loaded and self.scopes:
            self.meta.load_states(self.scopes)
            self._states_loaded = True
        row = self.meta.row(STATE, state_key(source, scope, resource))
        if row is None:
            return None, None
        stored = row.get("pass")
        return row.get("watermark"), (json.loads(stored) if stored else None)

    def start_run(self, run_id: str, source: str, scope: str, resource: str, mode: str) -> None:
        """A 'running' row for one resource of one scope in this run.

        Written with this writer's next transaction (the resource's first batch, usually), as
        is `end_run`'s row: a lake transaction costs rounds of catalog queries, and two per
        resource were half of a small sync's. A `kill -9` can then lose a run row, never data:
        the next sync of the scope marks a run it finds 'running' as 'interrupted'.
        """
        key = run_key(run_id, source, scope, resource)
        values = {
            "mode": mode,
            "started_at": NOW,
            "ended_at": None,
            "pages": 0,
            "rows": 0,
            "status": "running",
            "error": None,
        }
        # The time of the call, not of the transaction that writes the row.
        now = resolve_now(self.meta.zone, values)
        # Every column is set: the row of a new run is not looked for.
        self._pending.append(lambda: self.meta.put(RUNS, key, now, whole=True))

    def set_run_mode(self, run_id: str, source: str, scope: str, resource: str, mode: str) -> None:
        """Correct a run row's mode."""
        key = run_key(run_id, source, scope, resource)
        self._write(
            lambda: self.meta.put(RUNS, key, {"mode": mode}, insert_missing=False),
            "set run mode",
        )

    def end_run(
        self,
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
        """Close a run row with its status and final counts (with the next transaction)."""
        key = run_key(run_id, source, scope, resource)
        values = {"ended_at": NOW, "status": status, "error": error, "pages": pages, "rows": rows}
        now = resolve_now(self.meta.zone, values)
        self._pending.append(lambda: self.meta.put(RUNS, key, now, insert_missing=False))

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
        """`land` (one transaction, retried on a conflict) with the checkpoint as versions.

        `fresh` is not needed here: `Landing` knows by itself which batches need no delete."""
        frame = batch_frame(table, rows)
        bad = list(quarantined)
        run_key = {
            "run_id": state.run_id,
            "source": state.source,
            "scope": state.scope,
            "resource": state.resource,
        }
        state_key = {"source": state.source, "scope": state.scope, "resource": state.resource}

        def write() -> None:
            self.landing.upsert(table, frame, keep_newer=keep_newer)
            insert_quarantined(self.con, state, bad)
            self.meta.put(
                RUNS, run_key, {"pages": state.pages, "rows": state.rows}, insert_missing=False
            )
            if state.pass_state is not None:
                self.meta.put(STATE, state_key, {"pass": json.dumps(state.pass_state)})

        self._write(write, "land", frame.num_rows if frame is not None else 0)

    def finish_pass(
        self,
        table: RawTable,
        scope: Any,
        *,
        pass_started_at: datetime,
        complete_scan: bool,
        watermark_column: str | None,
    ) -> int:
        """`finish_pass` (one transaction, retried on a conflict), the state as a version."""
        key = {"source": table.source.name, "scope": str(scope), "resource": table.resource.name}

        def write() -> int:
            # A scan that can mark nothing is left out (`Landing.none_older`).
            skip_scan = complete_scan and self.landing.none_older(table, scope, pass_started_at)
            marked, values = close_pass(
                self.con,
                table,
                scope,
                pass_started_at=pass_started_at,
                complete_scan=complete_scan and not skip_scan,
                watermark_column=watermark_column,
            )
            if skip_scan:
                values["last_full_at"] = NOW
            self.meta.put(STATE, key, values)
            return marked

        return self._write(write, "finish_pass")

    def record_child_reads(
        self, source: str, scope: str, resource: str, versions: Mapping[str, str]
    ) -> None:
        """`record_child_reads`, in the shared transaction (`etl.lake.child_reads`)."""
        self._write(
            lambda: self.child_reads_.record(source, scope, resource, versions), "child reads"
        )

    record_drift = _alone_method(DuckDBWarehouse.record_drift)
    mark_vanished = _alone_method(DuckDBWarehouse.mark_vanished)
    mark_deleted = _alone_method(DuckDBWarehouse.mark_deleted)
