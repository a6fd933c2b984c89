"""Sartiq rows of every mart, hand-computed on a small fixture shooting synced over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.config import load_config
from etl.models.build import build
from etl.simulators.sartiq import SartiqSimulator
from etl.sync import sync_sources


def _fixture() -> tuple[SartiqSimulator, dict[str, Any]]:
    sim = SartiqSimulator.empty(organizations=1)
    org = sim.organizations[0]
    st = {
        name: sim.add("shot_types", org, name, view_angle=angle)["id"]
        for name, angle in (
            ("Front", "FRONT"),
            ("Back", "BACK"),
            ("Sole", "BOTTOM"),
            ("Detail", "FRONT"),
        )
    }
    shoes = sim.add(
        "products", org, sku="SHOE-1", name="Runner", product_type="Shoes", back_image_url=None
    )
    shirt = sim.add("products", org, sku="TEE-1", name="Tee", product_type="t-shirt")
    dress = sim.add("products", org, sku="DRESS-1", name="Dress", product_type="dress")
    loose = sim.add("products", org, sku="LOOSE-1", name="Not in any shooting")
    shooting = sim.add(
        "shootings",
        org,
        name="SS25 e-shop",
        phase="PRODUCTION",
        shot_type_ids=[st["Front"], st["Back"]],
        rules=[("product_type", "shoes", [st["Sole"]])],
        due_date=datetime(2020, 1, 1, tzinfo=UTC),
        main_product_ids=[shoes["id"], shirt["id"], dress["id"]],
    )
    sid = shooting["id"]
    look1 = sim.add(
        "looks",
        sid,
        shoes["id"],
        shots=[
            {
                "shot_type_id": st["Front"],
                "status": "APPROVED",
                "revisions": 2,
                "push": "COMPLETED",
            },
            {"shot_type_id": st["Back"], "status": "REVIEW", "revisions": 1},
            {"shot_type_id": st["Sole"], "status": "APPROVED", "revisions": 1, "push": "FAILED"},
            {
                "shot_type_id": st["Detail"],
                "status": "PROPOSAL",
                "revisions": 3,
                "rework_used": 3,
                "rework_available": 2,
            },
        ],
    )
    look2 = sim.add(
        "looks",
        sid,
        shirt["id"],
        shots=[
            {
                "shot_type_id": st["Front"],
                "status": "APPROVED",
                "revisions": 1,
                "push": "COMPLETED",
            },
        ],
    )
    ids = {
        "shoes": shoes["id"],
        "shirt": shirt["id"],
        "dress": dress["id"],
        "loose": loose["id"],
        "look1": look1,
        "look2": look2,
        "shooting": sid,
    }
    return sim, ids


@pytest.fixture
def marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    sim, ids = _fixture()
    with sim.serve():
        monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
        (tmp_path / "shotlist.toml").write_text(
            '[warehouse]\npath = "w.duckdb"\nanalytics_path = "a.duckdb"\n'
            f'[sources.sartiq]\nbase_url = "{sim.base_url}"\n'
            f'organization_ids = ["{sim.organizations[0]}"]\nrate_limit = 0\n',
            encoding="utf-8",
        )
        config = load_config(tmp_path / "shotlist.toml")
        assert sync_sources(config, ["sartiq"]).ok
    result = build(config, publish_analytics=False)
    assert result.ok, result.summary_lines()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    yield con, ids
    con.close()


def test_marts_coverage_sums_expected_shot_types_per_look(marts: Any) -> None:
    con, ids = marts
    rows = con.execute(
        """select product_key, label, expected_images, validated_images, missing_views,
                  coverage_status
           from marts.shotlist_coverage where source = 'sartiq' order by label"""
    ).fetchall()
    assert rows == [
        (ids["dress"], "DRESS-1", 2, 0, ["look 1 / Front", "look 1 / Back"], "not_started"),
        (ids["shoes"], "SHOE-1", 3, 2, ["look 1 / Back"], "in_progress"),
        (ids["shirt"], "TEE-1", 2, 1, ["look 1 / Back"], "in_progress"),
    ]
    in_scope = con.execute(
        "select product_key, in_scope from marts.products where source = 'sartiq' order by label"
    ).fetchall()
    assert dict(in_scope) == {
        ids["dress"]: True,
        ids["loose"]: False,
        ids["shoes"]: True,
        ids["shirt"]: True,
    }


def test_marts_deliverables_carry_status_look_and_push(marts: Any) -> None:
    con, ids = marts
    rows = con.execute(
        """select shot_type, status_code, status_label, status_group, look_label,
                  revision_count, rework_used, push_status
           from marts.deliverables where source = 'sartiq' and product_key = ?
           order by shot_type""",
        [ids["shoes"]],
    ).fetchall()
    assert rows == [
        ("Back", "REVIEW", "In review", "for_approval", "look 1", 1, 0, None),
        ("Detail", "PROPOSAL", "Proposal", "in_progress", "look 1", 3, 3, None),
        ("Front", "APPROVED", "Approved", "published", "look 1", 2, 0, "COMPLETED"),
        ("Sole", "APPROVED", "Approved", "validated", "look 1", 1, 0, "FAILED"),
    ]


def test_marts_guideline_alerts_for_the_fixture(marts: Any) -> None:
    con, ids = marts
    rows = con.execute(
        """select alert_type, product_key, expected, actual
           from marts.guideline_alerts where source = 'sartiq'
           order by alert_type, product_key"""
    ).fetchall()
    assert sorted(rows, key=str) == sorted(
        [
            ("back_shot_without_back_image", ids["shoes"], None, "Back"),
            ("main_product_without_look", ids["dress"], None, None),
            ("missing_view", ids["shoes"], "look 1 / Back", None),
            ("missing_view", ids["shirt"], "look 1 / Back", None),
            ("push_failed", ids["shoes"], "COMPLETED", "FAILED"),
            ("rework_over_limit", ids["shoes"], "2", "3"),
            ("shooting_overdue", None, "2020-01-01", "PRODUCTION"),
            ("shot_type_outside_guideline", ids["shoes"], None, "Detail"),
            ("too_few_images", ids["shoes"], "3", "2"),
            ("too_few_images", ids["shirt"], "2", "1"),
        ],
        key=str,
    )


def test_marts_status_breakdown_follows_the_shooting_order(marts: Any) -> None:
    con, _ = marts
    rows = con.execute(
        """select status_code, status_sorting, sum(deliverables)
           from marts.status_breakdown where source = 'sartiq'
           group by all order by status_sorting"""
    ).fetchall()
    assert rows == [("PROPOSAL", 20, 1), ("REVIEW", 60, 1), ("APPROVED", 70, 3)]
