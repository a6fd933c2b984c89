"""What to do this week, read from the HTML text and the workbook's cells: pace and forecast,
the approval backlog's age, productions ranked by urgency, products furthest behind, and
alerts in words.

Hand-computed from catalog.py, built at AS_OF (Fri 21 Nov 2025). Pace: the baseline is the
snapshot of 7 Nov (the oldest at least 7 days old; none is 28 days old), 2 weeks back, when
nothing was covered. SS25 covers 12 images now (R1 4, R2 2, R4 1, R5 5, R9 0): 6.0 a week;
11 images left take 11 / 6 = 1.83 weeks = 13 days: finishes Thu 4 Dec, after a 30 Nov
deadline (it needs 11 / (9 / 7) = 8.6 a week). FW25 covers 7 (R7 3, R8 4): 3.5 a week, 8 left,
16 days: Sun 7 Dec, no deadline known. Backlog: P21 last changed 20 Nov (1 day: 0-2 days), P41
on 1 Nov (20 days: over 14 days).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from etl.report import write_report

from .catalog import AS_OF, build_catalog, catalog_config
from .test_excel import rows_by_key
from .test_period import page_text

# Studio A gets a refused picture; twelve more productions have captured pictures only.
MORE_PRODUCTIONS = [
    """insert into marts.deliverables (source, deliverable_key, product_key, production, stage,
           status_code, status_label, status_group, view_type, created_at, modified_at)
       values ('grandshooting', 'P22', 'R2', 'Studio A week 46', 'export', 31, 'refused',
               'refused', 'BACK', '2025-11-10 09:00', '2025-11-19 09:00')""",
    """insert into marts.deliverables (source, deliverable_key, product_key, production, stage,
           status_code, status_label, status_group, view_type, created_at, modified_at)
       select 'grandshooting', 'X' || i, 'R3', 'Extra ' || lpad(i::varchar, 2, '0'), 'export',
              10, 'captured', 'captured', 'FRONT', '2025-11-10 09:00', '2025-11-19 09:00'
       from range(1, 13) t(i)""",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, openpyxl.Workbook]:
    folder = tmp_path_factory.mktemp("actions")
    analytics = folder / "analytics.duckdb"
    build_catalog(analytics, statements=MORE_PRODUCTIONS, deadlines={"SS25": date(2025, 11, 30)})
    config = catalog_config(folder, analytics)
    xlsx, html = write_report(config, out_dir=folder / "out", as_of=AS_OF)
    source = html.read_text(encoding="utf-8")
    return source, page_text(source), openpyxl.load_workbook(xlsx)


def section(text: str, title: str, end: str) -> str:
    return text[text.index(title) : text.index(end, text.index(title))]


def test_pace_and_forecast_per_collection(report: tuple[str, str, openpyxl.Workbook]) -> None:
    html, text, workbook = report
    pace = section(text, "Pace and forecast", "Productions to unblock first")
    assert "Images validated per week since 7 Nov 2025 (up to 4 weeks)" in pace
    assert (
        "SS25 collection 52% 11 6.0 1.8 4 Dec 2025 30 Nov 2025 (missed: needs 8.6/week) "
        "FW25 collection 47% 8 3.5 2.3 7 Dec 2025 none known"
    ) in pace
    # The missed forecast is red; the one without a deadline is not.
    assert re.search(r'nowrap;color:#b42318;font-weight:bold;">4 Dec 2025</td>', html)
    assert re.search(r'nowrap;color:#1f2933;">7 Dec 2025</td>', html)

    sheet = workbook["Pace"]
    names = [c.value for c in sheet[1]]
    records = [dict(zip(names, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    ss25 = next(r for r in records if r["Level"] == "collection" and r["Collection"] == "SS25")
    assert ss25["Images left"] == 11
    assert ss25["Images per week"] == pytest.approx(6.0)
    assert ss25["Finishes"] == datetime(2025, 12, 4)
    assert ss25["Deadline"] == datetime(2025, 11, 30)
    assert ss25["Misses deadline"] is True
    assert ss25["Forecast"] == "misses_deadline"
    # Per brand and per brand and collection too, in the workbook.
    assert {r["Level"] for r in records} == {"collection", "brand", "brand_collection"}


def test_backlog_buckets_and_oldest(report: tuple[str, str, openpyxl.Workbook]) -> None:
    _html, text, workbook = report
    backlog = section(text, "Approval backlog by age", "Coverage by category")
    assert "0-2 days 1 3-7 days 0 8-14 days 0 over 14 days 1" in backlog
    oldest = backlog[backlog.index("Days waiting") :]
    assert oldest.index("=cmd|calc #P41 Studio B packshots R4") < oldest.index("FRONT #P21")
    assert "=cmd|calc #P41 Studio B packshots R4 <script>alert('x')</script> & co 20" in oldest

    summary = workbook["Summary"]
    first, last = summary.tables["BacklogByAge"].ref.split(":")
    buckets = {r[0].value: r[1].value for r in summary[first:last][1:]}
    assert buckets == {"0-2 days": 1, "3-7 days": 0, "8-14 days": 0, "over 14 days": 1}
    sheet = workbook["Backlog"]
    rows = rows_by_key(sheet, "deliverable_key")
    assert list(rows) == ["P41", "P21"]  # oldest first
    assert rows["P41"]["days_waiting"].value == 20
    assert rows["P41"]["picture"].data_type == "s"  # '=cmd|calc' stays text


def test_productions_ranked_by_what_blocks_delivery(
    report: tuple[str, str, openpyxl.Workbook],
) -> None:
    _html, text, workbook = report
    urgency = section(text, "Productions to unblock first", "Approval backlog by age")
    assert "Ranked by what blocks delivery: refused and reshoot images first" in urgency
    # Studio A has a refused picture: first, although Studio B's backlog is older.
    assert "1 Studio A week 46 1 1 1 2 " in urgency
    assert "2 Studio B packshots 0 20 1 4 " in urgency
    # 14 productions: 8 in the message, all in the workbook.
    assert "6 more rows in the workbook." in urgency
    sheet = workbook["Urgency"]
    rows = rows_by_key(sheet, "production")
    assert len(rows) == 14
    assert list(rows)[:3] == ["Studio A week 46", "Studio B packshots", "Extra 01"]
    assert [r["urgency_rank"].value for r in rows.values()] == list(range(1, 15))


def test_products_furthest_behind_by_coverage(report: tuple[str, str, openpyxl.Workbook]) -> None:
    _html, text, _workbook = report
    behind = section(text, "Products furthest behind", "Made by Shotlist")
    assert "Ranked by coverage, lowest first (0% first), then by images missing." in behind
    refs = re.findall(r"\b(R\d+) ", behind)
    # 0 %: R6 and R9 (5 missing each, by reference), R3 (3 missing); then R4 20 %, R2 50 %.
    assert refs[:5] == ["R6", "R9", "R3", "R4", "R2"]


def test_alerts_read_in_words(report: tuple[str, str, openpyxl.Workbook]) -> None:
    _html, text, workbook = report
    alerts = section(text, "Top alerts", "Products furthest behind")
    assert (
        "Wrong image size The image's pixel size is not one the guideline allows error 2 2"
        in alerts
    )
    # Two pictures with the same problem read as two rows, each naming its picture.
    assert "error Wrong image size 1000x1000, guideline asks 2000x2000 FRONT #P21 R2 City shoe" in (
        alerts
    )
    assert "error Wrong image size 800x800, guideline asks 2000x2000 =cmd|calc #P41 R4" in alerts

    sheet = workbook["Alerts"]
    names = [c.value for c in sheet[1]]
    records = [dict(zip(names, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    p21 = next(r for r in records if r["Picture id"] == "P21")
    assert p21["Alert"] == "Wrong image size"
    assert p21["What is wrong"] == "1000x1000, guideline asks 2000x2000"
    assert p21["Picture"] == "FRONT #P21"
    assert p21["Alert type"] == "wrong_dimensions"


def test_html_with_every_section_stays_small(report: tuple[str, str, openpyxl.Workbook]) -> None:
    html, _text, _workbook = report
    assert len(html.encode("utf-8")) < 100_000


def test_filtered_report_paces_its_brand_and_collections(tmp_path: Path) -> None:
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics, deadlines={"SS25": date(2025, 11, 30)})
    config = catalog_config(tmp_path, analytics)
    [zed] = write_report(config, "zed", formats=["html"], out_dir=tmp_path / "zed", as_of=AS_OF)
    pace = section(
        page_text(zed.read_text(encoding="utf-8")), "Pace and forecast", "Productions to"
    )
    # Zed SS25: R4 1 + R5 5 + R9 0 covered in 2 weeks = 3.0 a week, 9 left: 3 weeks, 12 Dec.
    assert "Zed · SS25 brand and collection 40% 9 3.0 3.0 12 Dec 2025 30 Nov 2025" in pace
    assert "Zed · FW25 brand and collection" in pace
    assert "Acme" not in pace
    [tops] = write_report(
        config, formats=["html"], out_dir=tmp_path / "tops", as_of=AS_OF, where=["category=Tops"]
    )
    text = page_text(tops.read_text(encoding="utf-8"))
    assert (
        "Pace and forecast Pace is kept per brand and collection: not shown under a filter on "
        "category."
    ) in text
    assert "Counts cover each production's whole work, not only the filtered products." in text
