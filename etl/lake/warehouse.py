"""The DuckLake kind of `etl.warehouse.protocol.Warehouse`: the file's SQL, commits retried.

The statements are those of the file (`etl.warehouse.duckdb_file`, written to run on both);
what differs is concurrency. Other processes commit to the same lake, so a commit can meet a
conflict; DuckLake then drops the transaction whole, and the operation is run again (every
write here is one transaction or idempotent statements). Tables are created up front, under the
lake-wide `ddl` lock, because concurrent table creation is what DuckLake handles worst.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

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
    transaction,
)
from etl.warehouse.tables import TableSource

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CONFLICT = "Failed to commit DuckLake transaction"
ATTEMPTS = 10
DDL_WAIT_SECONDS = 300.0


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
            time.sleep(random.uniform(0.01, 0.05 * 2 ** min(attempt, 5)))
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
            for source in listed:
                ensure_raw_tables(con, source)

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

    start_run = _retried(DuckDBWarehouse.start_run)
    set_run_mode = _retried(DuckDBWarehouse.set_run_mode)
    end_run = _retried(DuckDBWarehouse.end_run)
    record_drift = _retried(DuckDBWarehouse.record_drift)
    land = _retried(DuckDBWarehouse.land)
    finish_pass = _retried(DuckDBWarehouse.finish_pass)
    record_child_reads = _retried(DuckDBWarehouse.record_child_reads)
    mark_vanished = _retried(DuckDBWarehouse.mark_vanished)
    mark_deleted = _retried(DuckDBWarehouse.mark_deleted)
