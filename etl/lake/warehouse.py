"""The DuckLake kind of `etl.warehouse.protocol.Warehouse`: the file's SQL, commits retried.

The statements are those of the file (`etl.warehouse.duckdb_file`, written to run on both);
what differs is concurrency. Other processes commit to the same lake, so a commit can meet a
conflict; DuckLake then drops the transaction whole, and the operation is run again (every
write here is one transaction or idempotent statements). Tables are created up front, under the
lake-wide `ddl` lock, because concurrent table creation is what DuckLake handles worst.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import duckdb

from etl.lake.attach import connect_lake
from etl.lake.config import LakeWarehouse
from etl.lake.locks import DDL_LOCK, lake_locks
from etl.warehouse import children
from etl.warehouse.duckdb_file import (
    META_DDL,
    DuckDBWarehouse,
    ensure_raw_tables,
    mark_interrupted_runs,
    raw_columns,
    transaction,
)
from etl.warehouse.tables import Columns, RawTable, StateUpdate, TableSource

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CONFLICT = "Failed to commit DuckLake transaction"
# Two writers that both delete from a shared meta table conflict (DuckLake checks deletes per
# table); under load a batch can lose several rounds before it commits.
ATTEMPTS = 30
DDL_WAIT_SECONDS = 300.0


State = tuple[datetime | None, dict[str, Any] | None]


def read_states(
    con: duckdb.DuckDBPyConnection, scopes: Sequence[tuple[str, str]]
) -> dict[tuple[str, str, str], State]:
    """`read_state` of every resource of these (source, scope) pairs, in one query."""
    rows = con.execute(
        "select source, scope, resource, watermark, pass from meta.sync_state "
        "where list_contains(?::varchar[], source || '/' || scope)",
        [[f"{source}/{scope}" for source, scope in scopes]],
    ).fetchall()
    return {
        (source, scope, resource): (watermark, json.loads(stored) if stored else None)
        for source, scope, resource, watermark, stored in rows
    }


def is_conflict(error: BaseException) -> bool:
    return isinstance(error, duckdb.Error) and CONFLICT in str(error)


def retry_conflicts(action: Callable[[], R], what: str = "commit") -> R:
    """Run `action`, again after a commit conflict (jittered backoff, bounded attempts)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return action()
        except duckdb.Error as exc:
            if not is_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("%s: commit conflict with another writer, retry %d", what, attempt)
            time.sleep(random.uniform(0.01, min(0.05 * 2**attempt, 2.0)))
    raise AssertionError("unreachable")


def _retried(method: Callable[P, R]) -> Callable[P, R]:
    """A warehouse operation that is run again when its commit meets a conflict."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return retry_conflicts(lambda: method(*args, **kwargs), method.__name__)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def create_tables(con: duckdb.DuckDBPyConnection, sources: Iterable[TableSource]) -> None:
    """Every meta table and the raw tables of `sources`, in one transaction."""

    listed = list(sources)

    def create() -> None:
        with transaction(con):
            for statement in (*META_DDL, children.CHILD_READS_DDL):
                con.execute(statement)
            existing = raw_columns(con)
            for source in listed:
                ensure_raw_tables(con, source, existing)

    retry_conflicts(create, "create tables")


class DuckLakeWarehouse(DuckDBWarehouse):
    """A lake connection as a warehouse; `scopes` are the (source, scope) pairs this process
    holds the sync locks of: only their runs are marked interrupted."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        scopes: Sequence[tuple[str, str]] = (),
        created: Iterable[str] = (),
    ) -> None:
        super().__init__(con)
        self.scopes = list(scopes)
        # Sources whose tables `open_lake` just created: each catalog read costs a round trip.
        self.created = set(created)
        # The checkpoints of the held scopes, read in one query on first use: only this
        # process writes them while it holds their locks. Keys written since are read again.
        self._states: dict[tuple[str, str, str], State] | None = None
        self._written: set[tuple[str, str, str]] = set()

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
    ) -> Iterator[DuckLakeWarehouse]:
        """Attach the lake for writing, create missing tables (under the `ddl` lock) first."""
        listed = list(sources)
        # Attached under the `ddl` lock too: two writers creating a new lake's catalog at once
        # collide in PostgreSQL ("ducklake_metadata already exists").
        with lake_locks(
            lake, [DDL_LOCK], command, base_dir=base_dir, env=env, wait=DDL_WAIT_SECONDS
        ):
            con = connect_lake(lake, base_dir=base_dir, env=env, inline=True)
            try:
                # A sync's statements are many and small: DuckDB's worker threads only spin
                # waiting on the catalog (measured: half the CPU of a sync went there).
                con.execute("set threads = 1")
                create_tables(con, listed)
            except BaseException:
                con.close()
                raise
        try:
            yield cls(con, scopes, (source.name for source in listed))
        finally:
            con.close()

    def mark_interrupted_runs(self) -> int:  # type: ignore[override]
        """Runs left 'running' in the scopes this process holds (others may be live)."""
        return retry_conflicts(lambda: mark_interrupted_runs(self.con, self.scopes))

    def ensure_tables(self, source: TableSource) -> None:
        """Create the source's tables, unless `open_lake` just did (under the `ddl` lock)."""
        if source.name not in self.created:
            retry_conflicts(lambda: DuckDBWarehouse.ensure_tables(self, source), "ensure tables")

    def read_state(self, source: str, scope: str, resource: str) -> State:
        """The checkpoint (see the protocol), from one read of every held scope's rows."""
        key = (source, scope, resource)
        if key in self._written or (source, scope) not in self.scopes:
            return DuckDBWarehouse.read_state(self, source, scope, resource)
        if self._states is None:
            self._states = read_states(self.con, self.scopes)
        return self._states.get(key, (None, None))

    def land(
        self,
        table: RawTable,
        rows: Sequence[dict[str, Any]] | Columns,
        state: StateUpdate,
        quarantined: Iterable[tuple[str, str, str]] = (),
        *,
        keep_newer: str | None = None,
    ) -> None:
        """`land` (one transaction, retried on a conflict) noting the checkpoint written."""
        self._written.add((state.source, state.scope, state.resource))
        retry_conflicts(
            lambda: DuckDBWarehouse.land(
                self, table, rows, state, quarantined, keep_newer=keep_newer
            ),
            "land",
        )

    def finish_pass(
        self,
        table: RawTable,
        scope: Any,
        *,
        pass_started_at: datetime,
        complete_scan: bool,
        watermark_column: str | None,
    ) -> int:
        """`finish_pass` (one transaction, retried on a conflict) noting the state written."""
        self._written.add((table.source.name, str(scope), table.resource.name))
        return retry_conflicts(
            lambda: DuckDBWarehouse.finish_pass(
                self,
                table,
                scope,
                pass_started_at=pass_started_at,
                complete_scan=complete_scan,
                watermark_column=watermark_column,
            ),
            "finish_pass",
        )

    start_run = _retried(DuckDBWarehouse.start_run)
    set_run_mode = _retried(DuckDBWarehouse.set_run_mode)
    end_run = _retried(DuckDBWarehouse.end_run)
    record_drift = _retried(DuckDBWarehouse.record_drift)
    record_child_reads = _retried(DuckDBWarehouse.record_child_reads)
    mark_vanished = _retried(DuckDBWarehouse.mark_vanished)
    mark_deleted = _retried(DuckDBWarehouse.mark_deleted)
