"""Landed batches committed together: one transaction over several, closed by size or age.

A batch of about 1,000 pictures landed in a transaction of its own goes through DuckDB's
write-ahead log, then again through a checkpoint that compresses it into the file. Appended in
one transaction until tens of thousands of rows, the same rows are written once, as whole row
groups (DuckDB's "optimistic" writes), and the commit logs only where they are: DuckDB's floor
for a full sync's rows fell from 16.5 to 11.1 us per row (`benchmarks/bench_landing.py
--floor`), the sync's CPU by an eighth. Each batch
still lands with its progress, so a commit is always a consistent resume point; what a kill
costs is the work since the last commit, at most `rows` rows or `seconds` of it. Only the last
progress of each resource in a group can ever be committed, so it alone is written, just before
the commit (a progress row rewritten with every batch was 7 % of the writer's CPU).

A failure inside an open group (a batch, or the commit) rolls back every batch since the last
commit, including other resources' batches landed in between: the group is then broken, and
every later operation raises, so that no resource records progress past rows that were never
stored. The sync stops; the next one resumes from the last commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

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
        # The newest progress write of each resource landed in the open group.
        self.progress: dict[Hashable, Callable[[], None]] = {}

    @property
    def enabled(self) -> bool:
        return self.max_rows > 0

    def check(self) -> None:
        """Raise if an earlier failure rolled the group back."""
        if self.broken is not None:
            raise BatchCommitsBroken(self.broken)

    def land(
        self,
        work: Callable[[], None],
        rows: int,
        progress: tuple[Hashable, Callable[[], None]] | None = None,
    ) -> bool:
        """Run `work` (one batch) in the open group, opening one if needed; `progress` (its
        resource, and the write recording how far it got) is written before the commit that
        stores the batch. Commit once the group holds `rows` rows or is `seconds` old; True
        if it committed."""
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
        if progress is not None:
            resource, write = progress
            self.progress[resource] = write
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
            self._write_progress()
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
            self._write_progress()
            self.con.execute("commit")
        except duckdb.Error:
            rollback(self.con)
        self.progress.clear()
        self.open = False

    def _write_progress(self) -> None:
        writes, self.progress = list(self.progress.values()), {}
        for write in writes:
            write()

    def _break(self, exc: BaseException) -> None:
        self.open = False
        self.progress.clear()
        rollback(self.con)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.broken = (
            f"the warehouse rolled back the batches landed since its last commit ({first}); "
            "run the sync again: it resumes from that commit"
        )
