"""The report's period and clock: a Monday run reports the ISO week that ended, other days the
last 7 days; times carry the report's time zone; the validated tile says what it counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.config import Config, parse_config
from etl.report import prepare_report, write_report
from etl.report.html import render_html, render_text, subject
from etl.report.period import ReportPeriod, report_period
from etl.report.scope import ReportScope

from .catalog import build_catalog, catalog_config
from .test_html import parse


def page_text(html: str) -> str:
    return " ".join(" ".join(parse(html).text).split())


def test_period_monday_is_the_iso_week_that_ended() -> None:
    period = report_period(date(2026, 12, 7))  # a Monday
    assert period == ReportPeriod(date(2026, 11, 30), date(2026, 12, 6), 49)
    assert date(2026, 11, 30).isocalendar().week == 49
    assert period.label() == "Week 49 · Mon 30 Nov – Sun 6 Dec 2026"


def test_period_other_days_are_the_last_7_days() -> None:
    period = report_period(date(2026, 12, 2))  # a Wednesday, in ISO week 49
    assert period == ReportPeriod(date(2026, 11, 26), date(2026, 12, 2), None)
    assert period.label() == "Last 7 days · Thu 26 Nov – Wed 2 Dec 2026"
    # A Sunday closes an ISO week but the week has not ended for a Monday cron: still 7 days.
    assert report_period(date(2026, 12, 6)).label() == "Last 7 days · Mon 30 Nov – Sun 6 Dec 2026"


def test_period_week_across_the_year_end() -> None:
    assert report_period(date(2027, 1, 4)).label() == "Week 53 · Mon 28 Dec – Sun 3 Jan 2027"


def test_monday_run_reports_the_week_that_ended(config: Config) -> None:
    monday = datetime(2025, 11, 24, 6, 30)
    with prepare_report(config, ReportScope(), as_of=monday) as prepared:
        html = render_html(prepared.data, prepared.charts)
        text = render_text(prepared.data, prepared.charts)
        title = subject(prepared.data)
    assert "Week 47 · Mon 17 Nov – Sun 23 Nov 2025" in page_text(html)
    assert text.splitlines()[1] == "Week 47, Mon 17 Nov – Sun 23 Nov 2025"
    assert title.startswith("Weekly shotlist report, week 47 (Mon 17 Nov – Sun 23 Nov 2025): ")


def test_times_carry_the_configured_time_zone(tmp_path: Path, analytics: Path) -> None:
    base = catalog_config(tmp_path, analytics).model_dump(mode="json", exclude={"path"})
    base["report"]["timezone"] = "Asia/Tokyo"
    config = parse_config(base, tmp_path / "shotlist.toml")
    # Sunday 20:00 UTC is already Monday 05:00 in Tokyo: the week that ended is the period.
    as_of = datetime(2025, 11, 23, 20, 0, tzinfo=UTC)
    with prepare_report(config, ReportScope(), as_of=as_of) as prepared:
        header = prepared.data.header
        text = page_text(render_html(prepared.data, prepared.charts))
    assert header.period.label() == "Week 47 · Mon 17 Nov – Sun 23 Nov 2025"
    assert header.timezone == "JST"
    assert "report made Mon 24 Nov 2025, 05:00 JST" in text
    # The run tables are dated in the machine's local time; the report shows them in Tokyo's.
    synced = datetime(2025, 11, 21, 6, 10).astimezone(ZoneInfo("Asia/Tokyo"))
    assert header.last_sync_at == synced
    assert f"Data extracted {synced:%a} {synced.day} {synced:%b %Y, %H:%M} JST" in text


def test_unknown_time_zone_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(Exception) as excinfo:
        parse_config({"report": {"timezone": "Mars/Olympus"}}, tmp_path / "shotlist.toml")
    assert str(excinfo.value) == (
        f"{tmp_path / 'shotlist.toml'}: report.timezone: unknown time zone name "
        "(got 'Mars/Olympus')"
    )


def test_validated_tile_says_it_counts_by_validation_date(tmp_path: Path) -> None:
    # No history at all: the tile counts images by validation date within the period.
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics, statements=["delete from marts.coverage_history"])
    config = catalog_config(tmp_path, analytics)
    monday = datetime(2025, 11, 24, 6, 30)
    html, _xlsx = write_report(config, formats=["html", "xlsx"], out_dir=tmp_path, as_of=monday)[
        ::-1
    ]
    text = page_text(html.read_text(encoding="utf-8"))
    # P11 was validated on Wed 19 Nov 10:00, in the week that ended; nothing the week before.
    assert (
        "Validated this week 1 ▲ 1 vs last week by validation date, Mon 17 Nov – Sun 23 Nov 2025"
        in text
    )


def test_validated_tile_says_it_counts_the_snapshot_change(config: Config, tmp_path: Path) -> None:
    [html] = write_report(
        config, formats=["html"], out_dir=tmp_path, as_of=datetime(2025, 11, 21, 8, 0)
    )
    text = page_text(html.read_text(encoding="utf-8"))
    assert "Validated this week 12 ▲ 3 vs last week net change since the Fri 14 Nov snapshot" in (
        text
    )


def test_progress_chart_says_no_history_yet(tmp_path: Path) -> None:
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics, statements=["delete from marts.coverage_history"])
    config = catalog_config(tmp_path, analytics)
    [html] = write_report(config, formats=["html"], out_dir=tmp_path, as_of=datetime(2025, 11, 24))
    text = page_text(html.read_text(encoding="utf-8"))
    assert "Progress over the last 12 weeks No history yet: the chart needs builds in two" in text
    assert 'alt="Chart of weekly progress' not in html.read_text(encoding="utf-8")
