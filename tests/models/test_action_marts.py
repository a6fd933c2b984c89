"""The marts that say what to do this week: pace and forecast, backlog age, urgency, labels."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.config import Config
from etl.errors import ConfigError
from etl.models import build
from etl.models.errors import SeedError
from etl.models.seeds import read_alert_types, read_key_csv
from etl.resources import ALERT_SEVERITIES, ALERT_TYPES

from . import scenario
from .helpers import load_raw, make_config, query

DEADLINES = "[report.deadlines]\nSS25 = 2025-04-01\n"


def _config(folder: Path, extra: str = "", pictures: list[dict[str, Any]] | None = None) -> Config:
    config = make_config(folder, extra=extra, guidelines=scenario.GUIDELINES)
    tables = scenario.raw_tables()
    tables["grandshooting__pictures"] = scenario.PICTURES + (pictures or [])
    load_raw(config, tables)
    return config


def _set_status(config: Config, status: int, picture_ids: list[int]) -> None:
    con = duckdb.connect(str(config.resolve(config.warehouse.path)))
    try:
        con.execute(
            "update raw.grandshooting__pictures set picturestatus = ? "
            f"where picture_id in ({', '.join('?' for _ in picture_ids)})",
            [status, *picture_ids],
        )
    finally:
        con.close()


PACE_SQL = """
    select level, brand, collection, covered_images, images_left, pace_basis, window_start,
           window_weeks, validated_in_window, images_per_week, weeks_left, forecast_finish,
           deadline, deadline_source, misses_deadline, forecast_status
    from marts.collection_pace order by level, brand, collection
"""


def test_collection_pace_forecasts_from_four_weeks_of_history(tmp_path: Path) -> None:
    config = _config(tmp_path, DEADLINES)
    # Three snapshots before the changes: the baseline is the latest at least 28 days old.
    for day in (date(2025, 1, 27), date(2025, 2, 3), date(2025, 2, 17)):
        assert build(config, today=day).ok
    # Covered on 3 Feb: BAG-1 3, LOOK-TOP 1, LOOK-PANT 1 = 5 of 14 (9 left: ACME 5, OTHER 4).
    # Then BAG-2's refused BACK and reshoot SIDE are validated (ACME +2) and SHOE-1's WORN for
    # approval too (OTHER +1): 3 images in 4 weeks.
    _set_status(config, 50, [2011, 2021, 3001])
    result = build(config, today=date(2025, 3, 3))
    assert result.ok, result.summary_lines()
    start = date(2025, 2, 3)
    deadline = date(2025, 4, 1)
    assert query(config, PACE_SQL) == [
        # ACME: 3 left at 0.5 a week = 6 weeks, 42 days after 3 March.
        (
            "brand",
            "ACME",
            None,
            7,
            3,
            "history",
            start,
            4.0,
            2,
            0.5,
            6.0,
            date(2025, 4, 14),
            deadline,
            "config",
            True,
            "misses_deadline",
        ),
        # OTHER: 3 left at 0.25 a week = 12 weeks.
        (
            "brand",
            "OTHER",
            None,
            1,
            3,
            "history",
            start,
            4.0,
            1,
            0.25,
            12.0,
            date(2025, 5, 26),
            deadline,
            "config",
            True,
            "misses_deadline",
        ),
        (
            "brand_collection",
            "ACME",
            "SS25",
            7,
            3,
            "history",
            start,
            4.0,
            2,
            0.5,
            6.0,
            date(2025, 4, 14),
            deadline,
            "config",
            True,
            "misses_deadline",
        ),
        (
            "brand_collection",
            "OTHER",
            "SS25",
            1,
            3,
            "history",
            start,
            4.0,
            1,
            0.25,
            12.0,
            date(2025, 5, 26),
            deadline,
            "config",
            True,
            "misses_deadline",
        ),
        # SS25: 6 left at 0.75 a week = 8 weeks, 56 days: 28 April, after the 1 April deadline.
        (
            "collection",
            None,
            "SS25",
            8,
            6,
            "history",
            start,
            4.0,
            3,
            0.75,
            8.0,
            date(2025, 4, 28),
            deadline,
            "config",
            True,
            "misses_deadline",
        ),
    ]
    needed = query(
        config,
        "select needed_per_week from marts.collection_pace where level = 'collection'",
    )
    assert needed == [(pytest.approx(6 / (29 / 7)),)]


def test_collection_pace_on_track_and_without_deadline(tmp_path: Path) -> None:
    config = _config(tmp_path, "[report.deadlines]\nss25 = 2025-06-30\n")
    assert build(config, today=date(2025, 2, 3)).ok
    _set_status(config, 50, [2011, 2021, 3001])
    assert build(config, today=date(2025, 3, 3)).ok
    rows = query(
        config,
        "select forecast_finish, deadline, misses_deadline, forecast_status "
        "from marts.collection_pace where level = 'collection'",
    )
    # The config's collection matches case-insensitively; 28 April is before 30 June.
    assert rows == [(date(2025, 4, 28), date(2025, 6, 30), False, "on_track")]
    config = _config(tmp_path / "none")
    assert build(config, today=date(2025, 2, 3)).ok
    assert build(config, today=date(2025, 3, 3)).ok
    rows = query(
        config,
        "select validated_in_window, weeks_left, forecast_finish, deadline, misses_deadline, "
        "forecast_status from marts.collection_pace where level = 'collection'",
    )
    # No progress and no deadline: no forecast, nothing flagged.
    assert rows == [(0, None, None, None, False, "no_progress")]


def test_collection_pace_before_a_week_of_history_reads_validation_dates(tmp_path: Path) -> None:
    # Two validated pictures dated within the 28 days before the build, one before it.
    dated = [
        scenario._pic(
            6001,
            102,
            40,
            50,
            reference_id="2",
            view_type_code="BACK",
            validation_date="2025-02-20 10:00:00",
        ),
        scenario._pic(
            6002,
            102,
            40,
            50,
            reference_id="3",
            view_type_code="FRONT",
            validation_date="2025-03-02 18:00:00",
        ),
        scenario._pic(
            6003,
            102,
            40,
            50,
            reference_id="7",
            view_type_code="FRONT",
            validation_date="2025-01-20 10:00:00",
        ),
    ]
    config = _config(tmp_path, DEADLINES, dated)
    assert build(config, as_of=datetime(2025, 3, 3, 9, 0)).ok
    rows = query(
        config,
        "select pace_basis, window_start, window_weeks, validated_in_window, images_per_week, "
        "images_left, weeks_left, forecast_finish from marts.collection_pace "
        "where level = 'collection'",
    )
    # 2 images in 4 weeks = 0.5 a week; 6 left (BAG-2 1, BAG-3 2, SHOE-1 3) = 12 weeks.
    assert rows == [("validation_dates", date(2025, 2, 3), 4.0, 2, 0.5, 6, 12.0, date(2025, 5, 26))]


BACKLOG_DAYS = (0, 2, 3, 7, 8, 15, 30)


def _waiting_pictures() -> list[dict[str, Any]]:
    """For-approval pictures of SHOE-1 (production SS25 Model) last modified N days ago, and one
    of a third production, waiting 40 days, with nothing refused."""
    pictures = [
        scenario._pic(
            7000 + days,
            202,
            40,
            40,
            reference_id="3",
            view_type_code="SIDE",
            smalltext=f"shoe_{days}d.jpg",
            date_mod=f"{date.fromordinal(date(2025, 3, 3).toordinal() - days)} 09:00:00",
        )
        for days in BACKLOG_DAYS
    ]
    pictures.append(
        scenario._pic(
            7100,
            300,
            40,
            40,
            bench_root_id=300,
            reference_id="4",
            smalltext="scarf.jpg",
            date_mod="2025-01-22 09:00:00",
        )
    )
    return pictures


BENCH_300 = {
    "bench_id": 300,
    "root_id": 300,
    "smalltext": "FW25 Studio",
    "benchsteptype": 40,
    "shooting_method_id": 1,
}


def _backlog_config(folder: Path) -> Config:
    config = make_config(folder, guidelines=scenario.GUIDELINES)
    tables = scenario.raw_tables()
    tables["grandshooting__pictures"] = scenario.PICTURES + _waiting_pictures()
    tables["grandshooting__benches"] = scenario.BENCHES + [BENCH_300]
    load_raw(config, tables)
    assert build(config, as_of=datetime(2025, 3, 3, 10, 0)).ok
    return config


def test_approval_backlog_buckets_by_days_waiting(tmp_path: Path) -> None:
    config = _backlog_config(tmp_path)
    buckets = query(
        config,
        "select age_bucket, sum(images), max(oldest_days) from marts.approval_backlog_age "
        "group by age_bucket, age_bucket_order order by age_bucket_order",
    )
    # 0 and 2 days; 3 and 7; 8; 15, 30 and 40 (scarf); p3001 has no modification date.
    assert buckets == [
        ("0-2 days", 2, 2),
        ("3-7 days", 2, 7),
        ("8-14 days", 1, 8),
        ("over 14 days", 3, 40),
        ("unknown", 1, None),
    ]
    oldest = query(
        config,
        "select age_rank, picture, production, product_ref, days_waiting "
        "from marts.approval_backlog where age_rank <= 3 order by age_rank",
    )
    assert oldest == [
        (1, "scarf.jpg #7100", "FW25 Studio", "SCARF-1", 40),
        (2, "shoe_30d.jpg #7030", "SS25 Model", "SHOE-1", 30),
        (3, "shoe_15d.jpg #7015", "SS25 Model", "SHOE-1", 15),
    ]
    # Each scope cell lists the four buckets (and unknown, as some image has no date).
    cells = query(
        config,
        "select collection, guideline, count(*), sum(images) from marts.approval_backlog_age "
        "group by all order by all",
    )
    assert cells == [("SS25", "Shoes on model", 5, 8), ("SS25", None, 5, 1)]


def test_production_urgency_and_products_behind_rankings(tmp_path: Path) -> None:
    config = _backlog_config(tmp_path)
    productions = query(
        config,
        "select urgency_rank, production, blocked_images, oldest_waiting_days, "
        "oldest_waiting_picture, missing_images from marts.production_urgency "
        "order by urgency_rank",
    )
    # Packshot blocks on a refused and a reshoot image (BAG-2 misses 2); then the oldest
    # waiting image decides (FW25 Studio 40 days before SS25 Model 30), not the missing images.
    assert productions == [
        (1, "SS25 Packshot", 2, None, None, 2),
        (2, "FW25 Studio", 0, 40, "scarf.jpg #7100", 0),
        (3, "SS25 Model", 0, 30, "shoe_30d.jpg #7030", 4),
    ]
    behind = query(
        config,
        "select behind_rank, product_ref, coverage_pct, missing_images "
        "from marts.products_behind order by behind_rank",
    )
    # 0 % first, the most missing first among them; then BAG-2 at 1 of 3.
    assert behind == [
        (1, "SHOE-1", 0.0, 4),
        (2, "BAG-3", 0.0, 3),
        (3, "BAG-2", pytest.approx(1 / 3), 2),
    ]


def test_report_alerts_are_labelled_and_name_their_picture(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert build(config, today=date(2025, 3, 3)).ok
    rows = query(
        config,
        "select alert_type, alert_label, alert_detail, picture, product_ref "
        "from marts.report_alerts where product_key = 'BAG-1' or product_key is null "
        "order by alert_type",
    )
    assert rows == [
        (
            "broadcast_error",
            "Broadcast failed",
            "Status 52: the platform could not broadcast it",
            "bag1_back.jpg #1012",
            "BAG-1",
        ),
        (
            "duplicate_content",
            "Same image on other products",
            "Also linked to SCARF-1",
            "bag1_front.png #1003",
            "BAG-1",
        ),
        (
            "file_too_large",
            "File too large",
            "1953.1 KB, guideline asks <= 1000 KB",
            "bag1_back.jpg #1012",
            "BAG-1",
        ),
        (
            "unlinked_picture",
            "Picture on no product",
            "Linked to no product",
            "p9001.jpg #9001",
            None,
        ),
        (
            "wrong_dimensions",
            "Wrong image size",
            "1200x1000, guideline asks 1000x1000",
            "bag1_back.jpg #1012",
            "BAG-1",
        ),
        (
            "wrong_file_format",
            "Wrong file format",
            "JPG, guideline asks PNG",
            "bag1_back.jpg #1012",
            "BAG-1",
        ),
        (
            "wrong_icc_profile",
            "Wrong colour profile",
            "Adobe RGB (1998), guideline asks sRGB IEC61966-2.1",
            "bag1_back.jpg #1012",
            "BAG-1",
        ),
    ]
    by_type = query(
        config,
        "select alert_label, alert_meaning, sum(alerts) from marts.alerts_by_type "
        "where alert_type = 'missing_view' group by all",
    )
    assert by_type == [
        ("Missing view", "A view the guideline requires has no validated image yet", 4)
    ]


def test_alert_types_seed_names_every_alert_type() -> None:
    labelled = [row[0] for row in read_alert_types(ALERT_TYPES)]
    graded = [row[0] for row in read_key_csv(ALERT_SEVERITIES, ("alert_type", "severity"))]
    assert sorted(labelled) == sorted(graded)
    assert len(labelled) == 19


def test_alert_types_seed_error_names_the_line(tmp_path: Path) -> None:
    seed = tmp_path / "alert_types.csv"
    seed.write_text(
        "alert_type,alert_label,alert_meaning,detail_template\n"
        "wrong_dimensions,Wrong image size,Size,{actual}\n"
        "missing_view,,Missing,{expected}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match=r"alert_types.csv:3: alert_label is empty"):
        read_alert_types(seed)


def test_report_deadlines_config_is_dates_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    config = make_config(tmp_path, DEADLINES)
    assert config.report.deadlines == {"SS25": date(2025, 4, 1)}
    with pytest.raises(ConfigError, match=r"report\.deadlines\.SS25: input should be a valid date"):
        make_config(tmp_path / "bad", '[report.deadlines]\nSS25 = "soon"\n')
