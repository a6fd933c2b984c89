"""Landed batches committed together: one transaction over several, closed by size or age.

A batch of about 1,000 pictures landed in a transaction of its own goes through DuckDB's
write-ahead log, then again through a checkpoint that compresses it into the file. Appended in
one transaction until tens of thousands of rows, the same rows are written once, as whole row
groups (DuckDB's "optimistic" writes), and the commit logs only where they are: a full sync's
landing CPU fell from 17-19 to 12-14 us per row (`benchmarks/bench_landing.py`). Each batch
still lands with its progress row, so a commit is always a consistent resume point; what a
kill costs is the work since the last commit, at most `rows` rows or `seconds` of it.

A failure inside an open group (a batch, or the commit) rolls back every batch since the last
commit, including other resources' batches landed in between: the group is then broken, and
every later operation raises, so that no resource records progress past rows that were never
stored. The sync stops; the next one resumes from the last commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb

from etl.errors import ShotlistError
from etl.warehouse.transaction import rollback


class BatchCommitsBroken(ShotlistError):
    """A batch or a commit of an open group failed: its batches were rolled back."""


class BatchCommits:
    """The connection's open transaction of landed batches, if any (`rows` 0: none, each
    batch is committed by its caller)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        rows: int = 0,
        seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.con = con
        self.max_rows = rows
        self.max_seconds = seconds
        self.clock = clock
        self.open = False
        self.rows = 0
        self.opened_at = 0.0
        self.broken: str | None = None

    @property
    def enabled(self) -> bool:
        return self.max_rows > 0

    def check(self) -> None:
        """Raise if an earlier failure rolled the group back."""
        if self.broken is not None:
            raise BatchCommitsBroken(self.broken)

    def land(self, work: Callable[[], None], rows: int) -> bool:
        """Run `work` (one batch and its progress) in the open group, opening one if needed;
        commit once the group holds `rows` rows or is `seconds` old. True if it committed."""
        self.check()
        if not self.open:
            self.con.execute("begin transaction")
            self.open = True
            self.rows = 0
            self.opened_at = self.clock()
        try:
            work()
        except BaseException as exc:
            self._break(exc)
            raise
        self.rows += rows
        if self.rows >= self.max_rows or self.clock() - self.opened_at >= self.max_seconds:
            self.commit()
            return True
        return False

    def commit(self) -> None:
        """Commit the open group, if any (before any other operation on the connection)."""
        self.check()
        if not self.open:
            return
        try:
            self.con.execute("commit")
        except BaseException as exc:
            self._break(exc)
            raise
        self.open = False

    def commit_quietly(self) -> None:
        """On the way out of a failure: keep the landed batches if the commit can, else roll
        back without raising over the failure under way."""
        if not self.open:
            return
        try:
            self.con.execute("commit")
        except duckdb.Error:
            rollback(self.con)
        self.open = False

    def _break(self, exc: BaseException) -> None:
        self.open = False
        rollback(self.con)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.broken = (
            f"the warehouse rolled back the batches landed since its last commit ({first}); "
            "run the sync again: it resumes from that commit"
        )
