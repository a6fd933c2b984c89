"""Group commit on a lake: a sync's writes share one transaction for up to `commit_seconds`.

A lake commit costs rounds of catalog queries (the snapshot, the files, the statistics), and a
small sync commits once per batch and per pass: most of its time went there (measured: 105
commits of one full sync of both simulators, 6.1 s of its 6.6 s). Here a write runs in the
transaction left open by the writes before it, and the transaction commits once it is
`commit_seconds` old (checked after each write) or holds `max_rows` rows, and when the sync
closes. Every batch still commits with its checkpoint (they are in one transaction, whatever
else is), so a `kill -9` loses no row and duplicates none: it loses at most the fetching of the
open transaction, which the next sync does again from the last committed checkpoint.

Each write is kept as the function that made it, until its commit: a commit conflict
(DuckLake drops the whole transaction) runs them again in a new one. A write that fails does
not take the others with it: the transaction is rolled back, the writes before it are run
again and committed, and the failing one is run on its own, to fail (or not) with its own error.
Only one thread uses the connection (the sync's writer), so reads made meanwhile see the open
transaction's rows, as they saw committed ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from etl.lake.meta import MetaRows
from etl.lake.retry import retry_conflicts
from etl.warehouse.duckdb_file import rollback, transaction

log = logging.getLogger(__name__)

R = TypeVar("R")

# Rows held by an open transaction before it commits anyway: the batches are kept in memory
# until then (a conflict writes them again).
MAX_ROWS = 50_000


class GroupCommit:
    """The open transaction of a lake writer and the writes it holds."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        meta: MetaRows,
        commit_seconds: float,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.con = con
        self.meta = meta
        self.commit_seconds = commit_seconds
        self.max_rows = max_rows
        self._writes: list[Callable[[], object]] = []
        self._rows = 0
        self._opened_at: float | None = None

    def write(self, action: Callable[[], R], what: str, rows: int = 0) -> R:
        """Run `action` in the open transaction (begun if none); commit if it is due."""
        if self.commit_seconds <= 0:
            return self.alone(action, what)
        if self._opened_at is None:
            self.con.execute("begin transaction")
            self._opened_at = time.monotonic()
        try:
            result = action()
        except BaseException as exc:
            if not isinstance(exc, Exception):
                # Interrupted: nothing more is written.
                self._drop()
                raise
            self._abandon()
            # The writes before it committed on their own; this one alone, for its own error.
            log.info("%s failed in a shared transaction (%s): run on its own", what, exc)
            return self.alone(action, what)
        self._writes.append(action)
        self._rows += rows
        if time.monotonic() - self._opened_at >= self.commit_seconds or self._rows >= self.max_rows:
            self.commit()
        return result

    def alone(self, action: Callable[[], R], what: str) -> R:
        """`action` in a transaction of its own (after committing the open one), retried."""
        self.commit()

        def attempt() -> R:
            try:
                with transaction(self.con):
                    result = action()
            except BaseException:
                self.meta.discard()
                raise
            self.meta.commit()
            return result

        return retry_conflicts(attempt, what)

    def commit(self) -> None:
        """Commit the open transaction; on a conflict run its writes again in a new one."""
        if self._opened_at is None:
            return
        writes, self._writes, self._rows, self._opened_at = self._writes, [], 0, None
        try:
            self.con.execute("commit")
        except duckdb.Error as exc:
            rollback(self.con)
            self.meta.discard()
            log.info("a shared commit failed (%s): its %d writes again", exc, len(writes))
            self._again(writes)
            return
        except BaseException:
            rollback(self.con)
            self.meta.discard()
            raise
        self.meta.commit()

    def _drop(self) -> list[Callable[[], object]]:
        """Roll back the open transaction; the writes it held."""
        writes, self._writes, self._rows, self._opened_at = self._writes, [], 0, None
        rollback(self.con)
        self.meta.discard()
        return writes

    def _abandon(self) -> None:
        """Roll back after a failed write; commit the writes before it in a new transaction."""
        writes = self._drop()
        if writes:
            self._again(writes)

    def _again(self, writes: list[Callable[[], object]]) -> None:
        def run_all() -> None:
            for write in writes:
                write()

        self.alone(run_all, f"{len(writes)} writes")
