"""Marts on the hand-built account of scenario.py: every expected number was computed by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.config import Config
from etl.models import build

from . import scenario
from .helpers import load_raw, make_config, query


def _built(folder: Path, extra: str = "") -> Config:
    config = make_config(folder, extra=extra, guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    result = build(config, today=date(2025, 3, 3))
    assert result.ok, result.summary_lines()
    return config


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return _built(tmp_path_factory.mktemp("scenario"))


def test_products_guideline_precedence_and_specificity(built: Config) -> None:
    rows = query(
        built,
        "select product_key, guideline, guideline_origin from marts.products order by 1",
    )
    assert rows == [
        # Category 11 is synced: the API category applies.
        ("BAG-1", "Bags API", "api_category"),
        # No category (BAG-2) or category 99, not synced (BAG-3): the file applies, where
        # family Handbags (level 3) beats gamme Accessories (2) and brand ACME (0);
        # "Handbags again" ties with it and comes later in the file.
        ("BAG-2", "Handbags", "file"),
        ("BAG-3", "Handbags", "file"),
        # Only brand ACME matches gamme Pants / Tops.
        ("LOOK-PANT", "ACME", "file"),
        ("LOOK-TOP", "ACME", "file"),
        # Scarves of brand OTHER: nothing matches.
        ("SCARF-1", None, None),
        # Shot on model only (method taken from bench 202's production), so "Shoes packshot"
        # does not match.
        ("SHOE-1", "Shoes on model", "file"),
    ]


def test_deliverables_are_current_pictures_only(built: Config) -> None:
    rows = query(
        built,
        "select deliverable_key, product_key, status_group, coverage_bucket, stage, "
        "shooting_method, production from marts.deliverables order by 1",
    )
    # Out: 1001/1002/1011/2001 have children, 1031 archived (80), 2031 ignored (1),
    # 2041 trashed, 2051 deleted by a full refresh. 11 of 19 pictures remain.
    assert rows == [
        (
            "1003",
            "BAG-1",
            "validated",
            "validated",
            "Export/Validation",
            "Packshot",
            "SS25 Packshot",
        ),
        (
            "1012",
            "BAG-1",
            "validated",
            "validated",
            "Export/Validation",
            "Packshot",
            "SS25 Packshot",
        ),
        ("1021", "BAG-1", "captured", "captured", "Live", "Packshot", "SS25 Packshot"),
        (
            "2002",
            "BAG-2",
            "published",
            "validated",
            "Export/Validation",
            "Packshot",
            "SS25 Packshot",
        ),
        ("2011", "BAG-2", "refused", "in_progress", "Phase 2", "Packshot", "SS25 Packshot"),
        ("2021", "BAG-2", "reshoot", "in_progress", "Live", "Packshot", "SS25 Packshot"),
        (
            "3001",
            "SHOE-1",
            "for_approval",
            "in_progress",
            "Export/Validation",
            "On model",
            "SS25 Model",
        ),
        ("3002", "SHOE-1", "captured", "captured", "Live", "On model", "SS25 Model"),
        (
            "4001",
            "SCARF-1",
            "validated",
            "validated",
            "Export/Validation",
            "Packshot",
            "SS25 Packshot",
        ),
        # A look picture's own product is the first of its look's references by key.
        (
            "5001",
            "LOOK-PANT",
            "validated",
            "validated",
            "Export/Validation",
            "On model",
            "SS25 Model",
        ),
        ("9001", None, "validated", "validated", "Export/Validation", "Packshot", "SS25 Packshot"),
    ]


def test_links_include_secondary_references_and_looks(built: Config) -> None:
    rows = query(
        built,
        "select deliverable_key, product_key, link_type from marts.deliverable_products "
        "where deliverable_key in ('3001', '3002', '5001') order by 1, 2",
    )
    assert rows == [
        ("3001", "SHOE-1", "reference_ids"),
        ("3002", "SHOE-1", "reference_ref"),
        ("5001", "LOOK-PANT", "look"),
        ("5001", "LOOK-TOP", "look"),
    ]


def test_coverage_hand_computed(built: Config) -> None:
    rows = query(
        built,
        "select product_key, guideline, expected_images, captured_images, in_progress_images, "
        "validated_images, missing_images, round(coverage_pct, 4), missing_views, "
        "coverage_status from marts.shotlist_coverage order by product_key",
    )
    assert rows == [
        # Bags API for Packshot: view types 1 and 2 (3 is On model) -> expected 2.
        # captured p1021; validated p1003 (50) + p1012 (52) = 2 -> complete, 2/2.
        ("BAG-1", "Bags API", 2, 1, 0, 2, 0, 1.0, [], "complete"),
        # Handbags expects 3 (FRONT, BACK, SIDE). in progress: p2011 refused + p2021 reshoot
        # = 2; validated: p2002 published (FRONT) = 1; missing 3-1 = 2; 1/3 = 0.3333.
        ("BAG-2", "Handbags", 3, 0, 2, 1, 2, 0.3333, ["BACK", "SIDE"], "in_progress"),
        # No picture at all: not started, nothing validated, every view missing.
        ("BAG-3", "Handbags", 3, 0, 0, 0, 3, 0.0, ["FRONT", "BACK", "SIDE"], "not_started"),
        # ACME expects 1, the look picture p5001 counts for both look references.
        ("LOOK-PANT", "ACME", 1, 0, 0, 1, 0, 1.0, [], "complete"),
        ("LOOK-TOP", "ACME", 1, 0, 0, 1, 0, 1.0, [], "complete"),
        # No guideline: counts still shown (p4001 validated), nothing expected.
        ("SCARF-1", None, None, 0, 0, 1, None, None, None, "no_guideline"),
        # Shoes on model expects 4: p3002 captured, p3001 for approval (WORN, not validated).
        ("SHOE-1", "Shoes on model", 4, 1, 1, 0, 4, 0.0, ["FRONT", "WORN"], "in_progress"),
    ]


def test_alerts_hand_computed(built: Config) -> None:
    rows = query(
        built,
        "select alert_type, severity, product_key, deliverable_key, expected, actual "
        "from marts.guideline_alerts order by all",
    )
    assert rows == [
        # p2002 carries an alert reported by Grand Shooting itself.
        ("api_alert", "warning", "BAG-2", "2002", None, "out_of_shotlist"),
        # p1012 is in status 52.
        ("broadcast_error", "error", "BAG-1", "1012", None, "52"),
        # p1003 (BAG-1) and p4001 (SCARF-1) have the same hash H1.
        ("duplicate_content", "warning", "BAG-1", "1003", None, "SCARF-1"),
        ("duplicate_content", "warning", "SCARF-1", "4001", None, "BAG-1"),
        # p1012: 2,000,000 bytes / 1024 = 1953.125 KB > 1000 KB of the category's format.
        ("file_too_large", "warning", "BAG-1", "1012", "<= 1000 KB", "1953.1 KB"),
        # Started products missing validated views (BAG-3 is not started: no alert).
        ("missing_view", "warning", "BAG-2", None, "BACK", None),
        ("missing_view", "warning", "BAG-2", None, "SIDE", None),
        ("missing_view", "warning", "SHOE-1", None, "FRONT", None),
        ("missing_view", "warning", "SHOE-1", None, "WORN", None),
        ("too_few_images", "warning", "BAG-2", None, "3", "1"),
        ("too_few_images", "warning", "SHOE-1", None, "4", "0"),
        # p9001's reference 999999 is not in the catalog.
        ("unlinked_picture", "warning", None, "9001", None, None),
        # p1012 against view type 2's format (PNG 1000x1000 sRGB); p2011 (3000x3000) is at
        # phase 2, where no spec check applies.
        ("wrong_dimensions", "error", "BAG-1", "1012", "1000x1000", "1200x1000"),
        ("wrong_file_format", "error", "BAG-1", "1012", "PNG", "JPG"),
        ("wrong_icc_profile", "error", "BAG-1", "1012", "sRGB IEC61966-2.1", "Adobe RGB (1998)"),
    ]


def test_status_breakdown_hand_computed(built: Config) -> None:
    rows = query(
        built,
        "select production, brand, bench_step, status_code, deliverables, round(share, 4) "
        "from marts.status_breakdown order by all",
    )
    assert rows == [
        # SS25 Model x ACME: only the look picture p5001 -> share 1.
        ("SS25 Model", "ACME", "40", "50", 1, 1.0),
        # SS25 Model x OTHER: p3001 (40) and p3002 (10) -> 1/2 each.
        ("SS25 Model", "OTHER", "10", "10", 1, 0.5),
        ("SS25 Model", "OTHER", "40", "40", 1, 0.5),
        # SS25 Packshot x ACME: 6 pictures of BAG-1/BAG-2, each status once -> 1/6 each.
        ("SS25 Packshot", "ACME", "10", "10", 1, 0.1667),
        ("SS25 Packshot", "ACME", "10", "5", 1, 0.1667),
        ("SS25 Packshot", "ACME", "30", "31", 1, 0.1667),
        ("SS25 Packshot", "ACME", "40", "50", 1, 0.1667),
        ("SS25 Packshot", "ACME", "40", "52", 1, 0.1667),
        ("SS25 Packshot", "ACME", "40", "55", 1, 0.1667),
        ("SS25 Packshot", "OTHER", "40", "50", 1, 1.0),
        # The unlinked p9001 has no brand.
        ("SS25 Packshot", None, "40", "50", 1, 1.0),
    ]
    total = query(built, "select sum(deliverables) from marts.status_breakdown")
    assert total == [(11,)]


def test_sums_reconcile(built: Config) -> None:
    # Validated links to in-scope products: p1003, p1012 (BAG-1), p2002 (BAG-2), p4001
    # (SCARF-1), p5001 twice (look) = 6 = 2 + 1 + 1 + 1 + 1 in coverage.
    assert query(built, "select sum(validated_images) from marts.shotlist_coverage") == [(6,)]


def test_scope_limits_coverage_and_alerts(tmp_path: Path) -> None:
    config = _built(tmp_path, extra='[scope]\nbrands = ["acme"]\n')
    coverage = query(config, "select product_key from marts.shotlist_coverage order by 1")
    assert coverage == [("BAG-1",), ("BAG-2",), ("BAG-3",), ("LOOK-PANT",), ("LOOK-TOP",)]
    alerts = query(
        config,
        "select alert_type, count(*) from marts.guideline_alerts group by 1 order by 1",
    )
    # SHOE-1 and SCARF-1 (brand OTHER) and the unlinked picture are out of scope; p1003 still
    # shares content with SCARF-1.
    assert alerts == [
        ("api_alert", 1),
        ("broadcast_error", 1),
        ("duplicate_content", 1),
        ("file_too_large", 1),
        ("missing_view", 2),
        ("too_few_images", 1),
        ("wrong_dimensions", 1),
        ("wrong_file_format", 1),
        ("wrong_icc_profile", 1),
    ]
    # Deliverables and the breakdown keep every current picture, flagged.
    assert query(
        config, "select in_scope, count(*) from marts.deliverables group by 1 order by 1"
    ) == [(False, 4), (True, 7)]


def test_file_source_overrides_api_categories(tmp_path: Path) -> None:
    # The extra line lands in the [guidelines] table make_config writes.
    config = _built(tmp_path, extra='source = "file"\n')
    rows = query(
        config,
        "select guideline, guideline_origin, expected_images, validated_images, "
        "missing_views, coverage_status from marts.shotlist_coverage where product_key = 'BAG-1'",
    )
    # Handbags expects 3 with views FRONT/BACK/SIDE; BAG-1's validated views are "1" and "2".
    assert rows == [("Handbags", "file", 3, 2, ["FRONT", "BACK", "SIDE"], "in_progress")]


def test_coverage_history_is_idempotent_within_a_day(tmp_path: Path) -> None:
    config = _built(tmp_path)
    assert build(config, today=date(2025, 3, 3)).ok
    assert build(config, today=date(2025, 3, 10)).ok
    rows = query(
        config,
        "select snapshot_date, count(*), sum(validated_images) from marts.coverage_history "
        "group by 1 order by 1",
    )
    # Two builds on 3 March keep one snapshot of the 7 products; 10 March adds another.
    assert rows == [(date(2025, 3, 3), 7, 6), (date(2025, 3, 10), 7, 6)]
