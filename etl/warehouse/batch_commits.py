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

Only appends share a group (`together`): a batch that may replace stored rows (a delete, then
the insert) commits the open group, then commits on its own, as every batch did before groups.
Grouped, such batches ran DuckDB out of its 64 MB at a commit in a full sync of Sartiq's
66-column products (30,000 per organisation), and its rollback then failed, which ends the
connection; one by one they land within it.

A failure inside an open group (a batch, or the commit) rolls back every batch since the last
commit. When that takes batches other than the failing one (other resources' too), the group is
broken: every later operation raises, so that no resource records progress past rows that were
never stored, and the sync stops; the next one resumes from the last commit. With `rows` 0 each
batch commits as it lands, and a failing batch takes only itself.
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
    """The connection's open transaction of landed batches, if any."""

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
        self.batches = 0
        self.opened_at = 0.0
        self.broken: str | None = None
        # The newest progress write of each resource landed in the open group.
        self.progress: dict[Hashable, Callable[[], None]] = {}

    def check(self) -> None:
        """Raise if an earlier failure rolled back batches their callers took as landed."""
        if self.broken is not None:
            raise BatchCommitsBroken(self.broken)

    def land(
        self,
        work: Callable[[], None],
        rows: int,
        progress: tuple[Hashable, Callable[[], None]] | None = None,
        *,
        together: bool = True,
    ) -> bool:
        """Run `work` (one batch) in the open group, opening one if needed; `progress` (its
        resource, and the write recording how far it got) is written before the commit that
        stores the batch. Commit once the group holds `rows` rows or is `seconds` old; True
        if it committed. Not `together`: commit the open group first, then this batch alone."""
        self.check()
        if self.open and not together:
            self._commit(reported=0)
        if not self.open:
            self.con.execute("begin transaction")
            self.open = True
            self.rows = 0
            self.batches = 0
            self.opened_at = self.clock()
        try:
            work()
        except BaseException as exc:
            self._roll_back(exc, others_lost=self.batches > 0)
            raise
        if progress is not None:
            resource, write = progress
            self.progress[resource] = write
        self.rows += rows
        self.batches += 1
        if (
            not together
            or self.rows >= self.max_rows
            or self.clock() - self.opened_at >= self.max_seconds
        ):
            # A failure here reaches this batch's caller: the others are the ones lost.
            self._commit(reported=1)
            return True
        return False

    def commit(self) -> None:
        """Commit the open group, if any (before any other operation on the connection)."""
        self._commit(reported=0)

    def _commit(self, reported: int) -> None:
        """Commit; on a failure, `reported` batches are known lost to the caller raised to."""
        self.check()
        if not self.open:
            return
        try:
            self._write_progress()
            self.con.execute("commit")
        except BaseException as exc:
            self._roll_back(exc, others_lost=self.batches > reported)
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
        self.open = False

    def _write_progress(self) -> None:
        writes, self.progress = list(self.progress.values()), {}
        for write in writes:
            write()

    def _roll_back(self, exc: BaseException, *, others_lost: bool) -> None:
        self.open = False
        self.progress.clear()
        rollback(self.con)
        if not others_lost:
            return
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.broken = (
            f"the warehouse rolled back the batches landed since its last commit ({first}); "
            "run the sync again: it resumes from that commit"
        )
