"""Spec checks of a look picture: judged against each member product's guideline, one by one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.config import Config
from etl.models import build

from . import scenario
from .helpers import load_raw, make_config, query

# LOOK-PANT (gamme Pants) and LOOK-TOP (gamme Tops) are the two members of look 70; each has
# its own guideline with one format.
GUIDELINES = """
[[guideline]]
name = "Pants 2000x2500"
gamme = "Pants"
expected_images = 1
[guideline.spec]
width = 2000
height = 2500

[[guideline]]
name = "Tops square"
gamme = "Tops"
expected_images = 1
[guideline.spec]
width = 3000
height = 3000
"""

SPEC_ALERTS = ("wrong_dimensions", "wrong_icc_profile", "wrong_file_format", "file_too_large")


def _built(
    folder: Path, width: int, height: int, extra: str = "", top_brand: str = "ACME"
) -> Config:
    """The scenario account, with look picture p5001 validated at width x height."""
    tables = scenario.raw_tables()
    tables["grandshooting__pictures"] = [
        {**picture, "width": width, "height": height} if picture["picture_id"] == 5001 else picture
        for picture in tables["grandshooting__pictures"]
    ]
    tables["grandshooting__references"] = [
        {**ref, "brand": top_brand} if ref["ref"] == "LOOK-TOP" else ref
        for ref in tables["grandshooting__references"]
    ]
    config = make_config(folder, extra=extra, guidelines=GUIDELINES)
    load_raw(config, tables)
    result = build(config, today=date(2025, 3, 3))
    assert result.ok, result.summary_lines()
    return config


def _look_spec_alerts(config: Config) -> list[tuple[object, ...]]:
    return query(
        config,
        "select alert_type, severity, product_key, deliverable_key, expected, actual, message "
        "from marts.guideline_alerts where deliverable_key = '5001' "
        f"and alert_type in {SPEC_ALERTS} order by all",
    )


def test_look_picture_meeting_one_member_format_alerts_for_the_other_only(
    tmp_path: Path,
) -> None:
    config = _built(tmp_path, 2000, 2500)
    # p5001's own product is LOOK-PANT (first member by key), whose format it meets; it also
    # counts for LOOK-TOP, whose guideline asks 3000x3000: one alert, for LOOK-TOP.
    assert _look_spec_alerts(config) == [
        (
            "wrong_dimensions",
            "error",
            "LOOK-TOP",
            "5001",
            "3000x3000",
            "2000x2500",
            "wrong dimensions for LOOK-TOP: expected 3000x3000, got 2000x2500",
        )
    ]
    # The alert counts for LOOK-TOP's workload, not for the own product's.
    workload = query(
        config,
        "select product_key, open_alerts from marts.product_workload "
        "where product_key like 'LOOK-%' order by 1",
    )
    assert workload == [("LOOK-PANT", 0), ("LOOK-TOP", 1)]


def test_look_picture_breaking_both_members_formats_alerts_for_each(tmp_path: Path) -> None:
    config = _built(tmp_path, 1000, 1000)
    assert [row[:6] for row in _look_spec_alerts(config)] == [
        ("wrong_dimensions", "error", "LOOK-PANT", "5001", "2000x2500", "1000x1000"),
        ("wrong_dimensions", "error", "LOOK-TOP", "5001", "3000x3000", "1000x1000"),
    ]


def test_look_picture_alert_follows_the_member_product_scope(tmp_path: Path) -> None:
    # Only LOOK-TOP (brand TOPCO) is in scope, not the picture's own product LOOK-PANT (ACME):
    # the alert for LOOK-TOP stays, the one for LOOK-PANT goes.
    config = _built(tmp_path, 1000, 1000, extra='[scope]\nbrands = ["topco"]\n', top_brand="TOPCO")
    assert [row[:6] for row in _look_spec_alerts(config)] == [
        ("wrong_dimensions", "error", "LOOK-TOP", "5001", "3000x3000", "1000x1000"),
    ]
