"""`shotlist demo` runs two simulated weeks: the report compares this week with the last."""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.demo import DEMO_TOKEN_ENV, SARTIQ_DEMO_TOKEN_ENV
from etl.demo_days import DEFAULT_DAYS

# Fifteen syncs and builds: about a minute on an idle 2-core machine.
pytestmark = pytest.mark.slow

REFERENCES = 200
TILES = (
    "Products in scope",
    "Coverage",
    "Validated this week",
    "Missing images",
    "Open alerts",
    "For approval",
)
# Per snapshot day, the products the unfiltered report covers (those of the current
# marts.shotlist_coverage) summed as its history does.
HISTORY = """
    select h.snapshot_date,
           count(*),
           sum(h.validated_images),
           sum(h.missing_images),
           sum(case when h.expected_images > 0
                    then least(h.validated_images, h.expected_images) end)
             / sum(case when h.expected_images > 0 then h.expected_images end)
    from marts.coverage_history h
    where exists (select 1 from marts.shotlist_coverage c
                  where c.source = h.source and c.product_key = h.product_key)
    group by 1 order by 1
"""


@dataclass(frozen=True)
class Day:
    products: int
    validated: int
    missing: int
    coverage: float


@dataclass
class Demo:
    config: Path
    output: str
    workbook: Path
    page: Path
    report_day: date
    history: dict[date, Day]
    built_at: list[tuple[date, datetime]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    config = folder / "shotlist.toml"
    config.write_text(
        '[warehouse]\npath = "data/warehouse.duckdb"\nanalytics_path = "data/analytics.duckdb"\n'
        '[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    args = ["demo", "--config", str(config), "--references", str(REFERENCES), "--rate-limit", "0"]
    # The demo sets its simulators' tokens in the environment; put it back afterwards.
    with pytest.MonkeyPatch.context() as env:
        env.setenv(DEMO_TOKEN_ENV, "")
        env.setenv(SARTIQ_DEMO_TOKEN_ENV, "")
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (workbook,) = (folder / "reports").glob("*.xlsx")
    (page,) = (folder / "reports").glob("*.html")
    stamp = re.fullmatch(r"shotlist-all-(\d{4}-\d{2}-\d{2})", workbook.stem)
    assert stamp is not None
    con = duckdb.connect(str(folder / "data" / "analytics.duckdb"), read_only=True)
    try:
        history = {r[0]: Day(*r[1:]) for r in con.execute(HISTORY).fetchall()}
        built_at = con.execute(
            "select distinct snapshot_date, built_at from marts.coverage_history order by 1"
        ).fetchall()
    finally:
        con.close()
    yield Demo(
        config,
        result.output,
        workbook,
        page,
        date.fromisoformat(stamp.group(1)),
        history,
        built_at,
    )


def summary_tiles(workbook: Path) -> dict[str, tuple[Any, Any]]:
    """The Summary sheet's KPI rows: label -> (value, change vs last week)."""
    sheet = openpyxl.load_workbook(workbook, read_only=True)["Summary"]
    tiles: dict[str, tuple[Any, Any]] = {}
    rows = sheet.iter_rows(values_only=True)
    for row in rows:
        if row[:3] == ("Metric", "Value", "Change vs last week"):
            break
    for row in rows:
        if not row or row[0] is None:
            break
        tiles[row[0]] = (row[1], row[2])
    return tiles


def test_demo_snapshots_are_dated_by_the_simulated_days(demo: Demo) -> None:
    days = [demo.report_day - timedelta(days=n) for n in range(DEFAULT_DAYS, -1, -1)]
    assert list(demo.history) == days
    # Each build ran as of its simulated day.
    assert [(day, moment.date()) for day, moment in demo.built_at] == [(d, d) for d in days]


def test_demo_report_has_week_over_week_changes_on_every_tile(demo: Demo) -> None:
    tiles = summary_tiles(demo.workbook)
    assert tuple(tiles) == TILES
    for label, (value, change) in tiles.items():
        assert isinstance(value, int | float) and not isinstance(value, bool), (label, value)
        assert isinstance(change, int | float) and not isinstance(change, bool), (label, change)


def test_demo_tiles_equal_the_history_mart(demo: Demo) -> None:
    tiles = summary_tiles(demo.workbook)
    today = demo.history[demo.report_day]
    week_ago = demo.history[demo.report_day - timedelta(days=7)]
    two_weeks = demo.history[demo.report_day - timedelta(days=14)]
    this_week = today.validated - week_ago.validated
    last_week = week_ago.validated - two_weeks.validated
    assert this_week > 0
    assert tiles["Validated this week"] == (this_week, this_week - last_week)
    assert tiles["Products in scope"] == (today.products, today.products - week_ago.products)
    assert tiles["Missing images"] == (today.missing, today.missing - week_ago.missing)
    coverage, change = tiles["Coverage"]
    assert coverage == pytest.approx(today.coverage)
    assert change == pytest.approx(today.coverage - week_ago.coverage)


def test_demo_progress_chart_has_a_point_per_week(demo: Demo) -> None:
    by_week: dict[date, Day] = {}
    for day, point in demo.history.items():
        by_week[day - timedelta(days=day.weekday())] = point  # the week's last snapshot
    first, last = min(by_week), max(by_week)
    # Two weeks and a day span three ISO weeks, or four when the first day is a Sunday.
    assert len(by_week) >= 3
    alt = (
        f"Chart of weekly progress: from the week of {first:%d %b %Y} to the week of "
        f"{last:%d %b %Y}, validated images went from {by_week[first].validated} to "
        f"{by_week[last].validated} and coverage from {by_week[first].coverage:.0%} to "
        f"{by_week[last].coverage:.0%}."
    )
    assert f'alt="{html.escape(alt)}"' in demo.page.read_text(encoding="utf-8")


def test_demo_prints_each_day_and_the_commands_to_run_next(demo: Demo) -> None:
    lines = demo.output.splitlines()
    days = [line for line in lines if line.startswith("day ")]
    width = len(str(DEFAULT_DAYS))
    assert [line.split(":")[0].split()[1] for line in days] == [
        f"{n:>{width}}/{DEFAULT_DAYS}".strip() for n in range(DEFAULT_DAYS + 1)
    ]
    assert "first full sync" in days[0]
    # Every simulated day validated something somewhere.
    for line in days[1:]:
        counts = [int(n) for n in re.findall(r"validated (\d+)", line)]
        assert len(counts) == 2 and sum(counts) > 0, line
    start = lines.index("Next:")
    commands = [line.strip() for line in lines[start + 1 :: 2][:3]]
    assert [shlex.split(c)[:2] for c in commands] == [
        ["shotlist", "query"],
        ["shotlist", "report"],
        ["shotlist", "init"],
    ]
    # The query runs as printed; the report is for the brand with the most products.
    query = shlex.split(commands[0])[1:] + ["--format", "csv"]
    rows = CliRunner().invoke(cli, query, catch_exceptions=False)
    assert rows.exit_code == 0, rows.output
    header, top, *_ = rows.output.splitlines()
    assert header == "brand,products,coverage"
    brand = top.rsplit(",", 2)[0]
    assert shlex.split(commands[1])[2:] == [
        "--where",
        f"brand={brand}",
        "--config",
        str(demo.config),
    ]
