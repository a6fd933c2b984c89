"""Week-over-week change of the Open alerts and For approval tiles, in the workbook and the HTML.

Hand-computed from catalog.py. Now: alerts R2 2, R4 2, R7 1 and one on no product (tile 6,
5 on products); for approval P21 (R2) and P41 (R4) (tile 2, 2 per product). The snapshot of
7 days ago: alerts R1 2, R2 1, R4 3 = 6; for approval R2 1, R5 3, R9 1 = 5. The snapshot of 14
days ago was taken before the history recorded those counts (NULL).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from etl.config import Config
from etl.report import write_report

from .catalog import AS_OF, build_catalog

GREEN, RED, GREY = "#1b7f45", "#b42318", "#616e7c"


def summary_kpis(path: Path) -> dict[str, tuple[Any, Any, Any]]:
    """Metric -> (value, change, note) cells of the Summary sheet's KPIs table."""
    ws = openpyxl.load_workbook(path)["Summary"]
    first, last = ws.tables["KPIs"].ref.split(":")
    return {row[0].value: (row[1].value, row[2].value, row[3].value) for row in ws[first:last][1:]}


def html_tiles(path: Path) -> dict[str, tuple[str, str, str]]:
    """Label -> (value, change text, change colour) of the HTML KPI tiles."""
    html = path.read_text(encoding="utf-8")
    tiles = re.findall(
        r'letter-spacing:0.5px;">([^<]+)</div>\s*<div[^>]*>([^<]+)</div>\s*'
        r'<div style="[^"]*color:(#[0-9a-f]{6});[^"]*">([^<]+)</div>',
        html,
    )
    return {label: (value, change.strip(), colour) for label, value, colour, change in tiles}


def _report(config: Config, out: Path, **kwargs: Any) -> tuple[Path, Path]:
    xlsx, html = write_report(config, formats=["xlsx", "html"], out_dir=out, **kwargs)
    return xlsx, html


def test_alerts_and_backlog_change_vs_last_week(config: Config, tmp_path: Path) -> None:
    xlsx, html = _report(config, tmp_path / "out", as_of=AS_OF)
    kpis = summary_kpis(xlsx)
    # Alerts on products 5 now, 6 a week ago: -1; the unlinked picture's alert is in the tile
    # but has no history to compare with, and the note says so.
    assert kpis["Open alerts"] == (6, -1, "change leaves out 1 alert(s) tied to no product")
    # For approval 2 now, 5 a week ago: -3.
    assert kpis["For approval"] == (2, -3, None)
    tiles = html_tiles(html)
    # Fewer alerts and a smaller backlog are good news: green.
    assert tiles["Open alerts"] == ("6", "▼ 1 vs last week", GREEN)
    assert tiles["For approval"] == ("2", "▼ 3 vs last week", GREEN)
    # The other tiles are as before.
    assert tiles["Missing images"] == ("19", "▼ 10 vs last week", GREEN)
    assert len(tiles) == 6


def test_alerts_and_backlog_change_in_a_filtered_report(config: Config, tmp_path: Path) -> None:
    xlsx, html = _report(config, tmp_path / "out", as_of=AS_OF, where=["brand=Zed"])
    kpis = summary_kpis(xlsx)
    # Zed is R4, R5, R6, R7, R9. Alerts: R4 2 + R7 1 = 3 now, R4 3 a week ago: no change.
    assert kpis["Open alerts"] == (3, 0, None)
    # For approval: P41 (R4) = 1 now; R5 3 + R9 1 = 4 a week ago: -3.
    assert kpis["For approval"] == (1, -3, None)
    tiles = html_tiles(html)
    assert tiles["Open alerts"] == ("3", "= no change vs last week", GREY)
    assert tiles["For approval"] == ("1", "▼ 3 vs last week", GREEN)


def test_snapshot_before_the_counts_says_no_comparison_yet(config: Config, tmp_path: Path) -> None:
    # A week before AS_OF, the snapshot a week older is the one taken 14 days before AS_OF.
    xlsx, html = _report(config, tmp_path / "out", as_of=AS_OF - timedelta(days=7))
    kpis = summary_kpis(xlsx)
    assert kpis["Open alerts"] == (6, "no comparison yet", None)
    assert kpis["For approval"] == (2, "no comparison yet", None)
    # That snapshot does compare for the figures it recorded: 38 missing then, 19 now.
    assert kpis["Missing images"] == (19, -19, None)
    tiles = html_tiles(html)
    assert tiles["Open alerts"] == ("6", "no comparison yet", GREY)
    assert tiles["For approval"] == ("2", "no comparison yet", GREY)
    assert tiles["Missing images"] == ("19", "▼ 19 vs last week", GREEN)


def _catalog_config(config: Config, folder: Path, *statements: str, **catalog: Any) -> Config:
    """`config` pointed at a fresh catalog in `folder`, changed by `statements`."""
    folder.mkdir()
    analytics = folder / "analytics.duckdb"
    build_catalog(analytics, statements=statements, **catalog)
    warehouse = config.warehouse.model_copy(update={"analytics_path": analytics})
    return config.model_copy(update={"warehouse": warehouse})


@pytest.fixture
def old_history_config(tmp_path: Path, config: Config) -> Config:
    """The same report, on a file published before the history had the two counts."""
    return _catalog_config(config, tmp_path / "old", history_counts=False)


def test_history_without_the_counts_columns_still_reports(
    old_history_config: Config, tmp_path: Path
) -> None:
    xlsx, html = _report(old_history_config, tmp_path / "out", as_of=AS_OF)
    kpis = summary_kpis(xlsx)
    assert kpis["Open alerts"] == (6, "no comparison yet", None)
    assert kpis["For approval"] == (2, "no comparison yet", None)
    assert kpis["Coverage"][1] == pytest.approx(0.5 - 9 / 38)
    tiles = html_tiles(html)
    assert tiles["Open alerts"] == ("6", "no comparison yet", GREY)
    assert tiles["For approval"] == ("2", "no comparison yet", GREY)


def test_backlog_change_counts_an_image_for_each_of_its_products(
    config: Config, tmp_path: Path
) -> None:
    linked = _catalog_config(
        config,
        tmp_path / "linked",
        "create or replace table marts.deliverable_products "
        "(source varchar, deliverable_key varchar, product_key varchar)",
        # P21 shows R2 and R3 (a look), as coverage_history counts it.
        "insert into marts.deliverable_products values ('grandshooting', 'P21', 'R2'), "
        "('grandshooting', 'P21', 'R3'), ('grandshooting', 'P41', 'R4'), "
        "('grandshooting', 'P11', 'R1')",
    )
    xlsx, html = _report(linked, tmp_path / "out", as_of=AS_OF)
    kpis = summary_kpis(xlsx)
    # The tile counts 2 images; per product that is 3 (R2, R3, R4), against 5 a week ago.
    assert kpis["For approval"] == (
        2,
        -2,
        "change counts images once per product they are linked to (3 now)",
    )
    assert html_tiles(html)["For approval"] == ("2", "▼ 2 vs last week", GREEN)
