"""build(as_of=...): the moment the models describe dates the snapshot and the overdue alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.config import Config
from etl.models import build
from etl.simulators.sartiq import SartiqSimulator
from etl.sync import sync_sources

from . import scenario
from .helpers import load_raw, make_config, warehouse_query

SNAPSHOTS = "select distinct snapshot_date, built_at from marts.coverage_history order by 1"


def test_build_as_of_dates_the_snapshot_and_built_at(tmp_path: Path) -> None:
    config = make_config(tmp_path, guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    first = datetime(2025, 3, 3, 9, 30)
    assert build(config, as_of=first).ok
    # `today` alone still redates the snapshot only: built_at is the real start of the build.
    started = datetime.now()
    assert build(config, today=date(2025, 3, 10)).ok
    rows = warehouse_query(config, SNAPSHOTS)
    assert rows[0] == (date(2025, 3, 3), first)
    assert rows[1][0] == date(2025, 3, 10) and started <= rows[1][1] <= datetime.now()
    assert len(rows) == 2


def _overdue(config: Config, as_of: datetime) -> list[tuple[object, ...]]:
    assert build(config, as_of=as_of, publish_analytics=False).ok
    return warehouse_query(
        config,
        "select alert_type from marts.guideline_alerts where alert_type = 'shooting_overdue'",
    )


def test_build_as_of_is_what_overdue_alerts_compare_due_dates_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = SartiqSimulator.empty(organizations=1)
    org = sim.organizations[0]
    sim.add(
        "shootings", org, name="SS25", phase="PRODUCTION", due_date=datetime(2020, 1, 1, tzinfo=UTC)
    )
    with sim.serve():
        monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
        source = f'base_url = "{sim.base_url}"\norganization_ids = ["{org}"]\nrate_limit = 0\n'
        config = make_config(tmp_path, "[sources.sartiq]\n" + source)
        assert sync_sources(config, ["sartiq"]).ok
    assert _overdue(config, datetime(2019, 12, 31, 12, 0)) == []
    assert _overdue(config, datetime(2020, 1, 2, 12, 0)) == [("shooting_overdue",)]
