"""Sartiq in the report's marts: SKUs instead of UUIDs, one category case, shooting deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from etl.config import load_config
from etl.models.build import build
from etl.simulators.sartiq import SartiqSimulator
from etl.sync import sync_sources


def test_sartiq_products_read_by_sku_with_cased_categories_and_shooting_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = SartiqSimulator.empty(organizations=1)
    org = sim.organizations[0]
    front = sim.add("shot_types", org, "Front", view_angle="FRONT")["id"]
    tee = sim.add(
        "products",
        org,
        sku="TEE-1",
        name="Tee",
        product_family="apparel",
        product_type="t-shirt",
        brand_collection="SS26",
    )
    nameless = sim.add(
        "products", org, name="Linen shirt", product_family="apparel", brand_collection="SS26"
    )
    shooting = sim.add(
        "shootings",
        org,
        name="SS26 e-shop",
        phase="PRODUCTION",
        shot_type_ids=[front],
        due_date=datetime(2026, 3, 31, tzinfo=UTC),
        main_product_ids=[tee["id"], nameless["id"]],
    )
    sim.add(
        "looks",
        shooting["id"],
        tee["id"],
        shots=[{"shot_type_id": front, "status": "REVIEW", "revisions": 1}],
    )
    with sim.serve():
        monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
        (tmp_path / "shotlist.toml").write_text(
            '[warehouse]\npath = "w.duckdb"\nanalytics_path = "a.duckdb"\n'
            f'[sources.sartiq]\nbase_url = "{sim.base_url}"\n'
            f'organization_ids = ["{org}"]\nrate_limit = 0\n',
            encoding="utf-8",
        )
        config = load_config(tmp_path / "shotlist.toml")
        assert sync_sources(config, ["sartiq"]).ok
    result = build(config, as_of=datetime(2026, 3, 2, 9, 0), publish_analytics=False)
    assert result.ok, result.summary_lines()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        products = con.execute(
            "select product_key, product_ref, category_path, univers, gamme "
            "from marts.products order by product_ref"
        ).fetchall()
        # The SKU (else the name) stands for the UUID; "apparel > t-shirt" reads in one case.
        assert products == [
            (nameless["id"], "Linen shirt", "Apparel", "Apparel", None),
            (tee["id"], "TEE-1", "Apparel > T-shirt", "Apparel", "T-shirt"),
        ]
        behind = con.execute(
            "select product_ref, category from marts.products_behind order by behind_rank"
        ).fetchall()
        assert behind == [("Linen shirt", "Apparel"), ("TEE-1", "Apparel > T-shirt")]
        backlog = con.execute("select product_ref from marts.approval_backlog").fetchall()
        assert backlog == [("TEE-1",)]
        # No history yet and nothing validated: no pace; the shooting's due date is the deadline,
        # missed at no pace.
        pace = con.execute(
            "select images_left, deadline, deadline_source, misses_deadline, forecast_status "
            "from marts.collection_pace where level = 'collection'"
        ).fetchall()
        assert pace == [(2, date(2026, 3, 31), "sartiq", True, "misses_deadline")]
        alerts = con.execute(
            "select alert_label, product_ref from marts.report_alerts order by all"
        ).fetchall()
        detail = con.execute(
            "select alert_detail from marts.report_alerts "
            "where alert_type = 'main_product_without_look'"
        ).fetchall()
        # The model's message, as a sentence.
        assert detail == [("Main product of SS26 e-shop (in production) has no look",)]
        assert alerts == [
            ("Main product without look", "Linen shirt"),
            ("Missing view", "TEE-1"),
            ("Too few images", "TEE-1"),
        ]
    finally:
        con.close()
