"""The demo's simulated days: one clock for both simulators, the builds and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from etl.engine.runtime import SyncResult
from etl.models import BuildResult

# Two weeks and today: the report compares this week with the week before, so its
# "validated this week" tile needs a snapshot 14 days old.
DEFAULT_DAYS = 14

# What the per-day line names, per simulator: (counter, label).
GRANDSHOOTING_MOVES = (
    ("validated", "validated"),
    ("refused", "refused"),
    ("reshot", "reshot"),
    ("new_references", "new references"),
)
SARTIQ_MOVES = (
    ("validated", "validated"),
    ("refused_in_post_prod", "refused"),
    ("reshot", "reshot"),
    ("new_products", "new products"),
)


@dataclass(frozen=True)
class Timeline:
    """`days` simulated days ending at `end` (UTC): day 0 is the first, full sync.

    The Grand Shooting catalog writes naive UTC dates and Sartiq aware ones; the build and
    the report take naive local times, as their own default (`datetime.now()`) is.
    """

    end: datetime
    days: int

    @classmethod
    def ending_now(cls, days: int) -> Timeline:
        if days < 0:
            raise ValueError(f"--days must be >= 0, got {days}")
        return cls(datetime.now(UTC).replace(microsecond=0), days)

    def at(self, day: int) -> datetime:
        """The clock after `day` simulated days (aware, UTC)."""
        return self.end - timedelta(days=self.days - day)

    def catalog_now(self) -> datetime:
        """Day 0 as the Grand Shooting catalog's `now` (naive UTC, like the dates it writes)."""
        return self.at(0).replace(tzinfo=None)

    def local(self, day: int) -> datetime:
        """The clock after `day` days as the build's and the report's `as_of` (naive local)."""
        return self.at(day).astimezone().replace(tzinfo=None)

    def snapshot_date(self, day: int) -> date:
        return self.local(day).date()


@dataclass
class DemoDay:
    """One simulated day: what the simulators changed, then the sync and build after it."""

    day: int
    days: int
    moment: datetime
    sync: SyncResult
    build: BuildResult
    grandshooting: Counter[str] = field(default_factory=Counter)
    sartiq: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.sync.ok and self.build.ok


def _moves(counts: Counter[str], names: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{label} {counts[key]:,}" for key, label in names)


def describe_day(day: DemoDay) -> str:
    """One line: the day, what changed in each simulator, the sync and the build."""
    width = len(str(day.days))
    head = f"day {day.day:>{width}}/{day.days} {day.moment:%a %d %b}:"
    if day.day == 0:
        changes = "first full sync"
    else:
        changes = (
            f"Grand Shooting {_moves(day.grandshooting, GRANDSHOOTING_MOVES)}; "
            f"Sartiq {_moves(day.sartiq, SARTIQ_MOVES)}"
        )
    synced = (
        f"synced {day.sync.rows:,} rows ({day.sync.requests:,} requests) in {day.sync.seconds:.1f}s"
    )
    built = f"built in {day.build.seconds:.1f}s" if day.build.ok else "build failed"
    if not day.sync.ok:
        synced += " (incomplete)"
    return f"{head} {changes}; {synced}; {built}"
