"""Which days a report covers, and its clock: the week that ended on a Monday, else the last 7 days.

A Monday run (the cron's day) reports the ISO week that just ended, Monday to Sunday; a run on
any other day reports the last 7 days up to and including today, and says so: the label never
names an ISO week the days do not make up. Times carry the report's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etl.report.errors import ReportError

MONDAY = 0


@dataclass(frozen=True)
class ReportPeriod:
    """Days `start` to `end`, both included; `iso_week` is set when they are one ISO week."""

    start: date
    end: date
    iso_week: int | None

    @property
    def kind(self) -> str:
        return "iso_week" if self.iso_week is not None else "last_7_days"

    def days(self) -> str:
        """`Mon 30 Nov – Sun 6 Dec 2026` (the year once, on the end)."""
        return f"{_day(self.start)} – {_day(self.end)} {self.end:%Y}"

    def name(self) -> str:
        """`Week 49` or `Last 7 days`."""
        return f"Week {self.iso_week}" if self.iso_week is not None else "Last 7 days"

    def label(self) -> str:
        """`Week 49 · Mon 30 Nov – Sun 6 Dec 2026`, `Last 7 days · Thu 26 Nov – Wed 2 Dec 2026`."""
        return f"{self.name()} · {self.days()}"

    def bounds(self) -> tuple[datetime, datetime]:
        """Midnight starting the first day and midnight ending the last (naive, as `as_of`)."""
        return datetime.combine(self.start, time()), datetime.combine(self.end, time()) + timedelta(
            days=1
        )


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def report_period(today: date) -> ReportPeriod:
    """The ISO week that ended when `today` is a Monday, else the 7 days ending `today`."""
    if today.weekday() == MONDAY:
        start = today - timedelta(days=7)
        return ReportPeriod(start, today - timedelta(days=1), start.isocalendar().week)
    return ReportPeriod(today - timedelta(days=6), today, None)


def report_zone(name: str | None) -> tzinfo:
    """The `[report] timezone` (an IANA name such as Europe/Paris); None: the machine's own."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(
            f"[report] timezone {name!r}: unknown time zone (use an IANA name, e.g. Europe/Paris)"
        ) from None


def in_zone(value: datetime | None, zone: tzinfo) -> datetime | None:
    """A time in the report's zone; a naive one is the machine's local time (as DuckDB's now())."""
    if value is None:
        return None
    return value.astimezone(zone)


def report_clock(as_of: datetime | None, zone: tzinfo) -> datetime:
    """The report's time, aware in `zone`; a naive `as_of` is the machine's local time."""
    return (as_of or datetime.now()).astimezone(zone)


def machine_local(moment: datetime) -> datetime:
    """An aware time as the naive machine-local time the marts and run tables are dated in."""
    return moment.astimezone().replace(tzinfo=None)


def local_bounds(period: ReportPeriod, zone: tzinfo) -> tuple[datetime, datetime]:
    """The period's first and after-last midnights in `zone`, as naive machine-local times."""
    start, end = period.bounds()
    return machine_local(start.replace(tzinfo=zone)), machine_local(end.replace(tzinfo=zone))
