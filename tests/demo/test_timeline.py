"""The demo's timeline and its per-day line."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from etl.demo_days import DemoDay, Timeline, describe_day
from etl.engine.runtime import SyncResult
from etl.models import BuildResult


def test_timeline_ends_at_its_end_and_days_are_a_day_apart() -> None:
    end = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
    timeline = Timeline(end, 14)
    assert timeline.at(14) == end
    assert timeline.at(0) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert timeline.catalog_now() == datetime(2026, 3, 2, 9, 30)
    # The build and the report take naive local times of the same instants.
    assert timeline.local(7) == timeline.at(7).astimezone().replace(tzinfo=None)
    assert timeline.snapshot_date(14) == timeline.local(14).date()
    with pytest.raises(ValueError, match="--days must be >= 0"):
        Timeline.ending_now(-1)


def test_describe_day_names_each_simulators_moves_the_sync_and_the_build() -> None:
    sync = SyncResult("run-1", requests=102, seconds=3.31)
    day = DemoDay(
        3,
        14,
        datetime(2026, 3, 5, 9, 30),
        sync,
        BuildResult("build-1", seconds=2.0),
        Counter(validated=12, refused=4, reshot=2, new_references=1, sent_on=40),
        Counter(validated=3, refused_in_post_prod=1, new_products=2),
    )
    assert describe_day(day) == (
        "day  3/14 Thu 05 Mar: Grand Shooting validated 12, refused 4, reshot 2, "
        "new references 1; Sartiq validated 3, refused 1, reshot 0, new products 2; "
        "synced 0 rows (102 requests) in 3.3s; built in 2.0s"
    )
