"""marts.coverage_history: per-product alerts and for-approval images; an old table upgraded."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb

from etl.config import Config
from etl.models import build
from etl.resources import SQL_DIR

from . import scenario
from .helpers import load_raw, make_config, query, warehouse_query

# marts/coverage_history.sql as it was before open_alerts and for_approval_images: the table an
# existing warehouse holds.
OLD_HISTORY = """-- materialized: incremental
-- delete_by: snapshot_date
with settings as (
    select * from seeds.build_settings
),

coverage as (
    select * from marts.shotlist_coverage
),

snapshot as (
    select
        settings.build_date as snapshot_date,
        coverage.source,
        coverage.product_key,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        coverage.expected_images,
        coverage.captured_images,
        coverage.in_progress_images,
        coverage.validated_images,
        coverage.missing_images,
        coverage.coverage_pct,
        coverage.coverage_status,
        settings.built_at
    from coverage
    cross join settings
)

select * from snapshot
"""

HISTORY_SQL = (
    "select snapshot_date, product_key, open_alerts, for_approval_images, in_progress_images "
    "from marts.coverage_history order by all"
)


def _config(folder: Path) -> Config:
    config = make_config(folder, guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    return config


def _submit_shoe_front(config: Config) -> None:
    """p3002 (SHOE-1's captured FRONT, on the live bench) is submitted for approval (40)."""
    con = duckdb.connect(str(config.resolve(config.warehouse.path)))
    try:
        con.execute(
            "update raw.grandshooting__pictures set picturestatus = 40 where picture_id = 3002"
        )
    finally:
        con.close()


def test_history_counts_alerts_and_for_approval_per_product(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert build(config, today=date(2025, 3, 3)).ok
    _submit_shoe_front(config)
    result = build(config, today=date(2025, 3, 10))
    assert result.ok, result.summary_lines()
    # Alerts per product as listed in test_marts.test_alerts_hand_computed: BAG-1 broadcast,
    # duplicate, too large, dimensions, format, ICC = 6; BAG-2 api alert, 2 missing views, too
    # few = 4; SCARF-1 duplicate = 1; SHOE-1 2 missing views, too few = 3 (the unlinked
    # picture's alert belongs to no product). Moving p3002 from captured to for approval on the
    # live bench raises no alert.
    # For approval on 3 March: p3001 (SHOE-1, via reference_ids); on 10 March also p3002.
    day1 = date(2025, 3, 3)
    day2 = date(2025, 3, 10)
    assert query(config, HISTORY_SQL) == [
        (day1, "BAG-1", 6, 0, 0),
        (day1, "BAG-2", 4, 0, 2),
        (day1, "BAG-3", 0, 0, 0),
        (day1, "LOOK-PANT", 0, 0, 0),
        (day1, "LOOK-TOP", 0, 0, 0),
        (day1, "SCARF-1", 1, 0, 0),
        (day1, "SHOE-1", 3, 1, 1),
        (day2, "BAG-1", 6, 0, 0),
        (day2, "BAG-2", 4, 0, 2),
        (day2, "BAG-3", 0, 0, 0),
        (day2, "LOOK-PANT", 0, 0, 0),
        (day2, "LOOK-TOP", 0, 0, 0),
        (day2, "SCARF-1", 1, 0, 0),
        (day2, "SHOE-1", 3, 2, 2),
    ]
    # The per-product sums reconcile with the marts they come from.
    assert query(
        config,
        "select sum(open_alerts), sum(for_approval_images) from marts.coverage_history "
        "where snapshot_date = '2025-03-10'",
    ) == [(14, 2)]
    assert query(
        config,
        "select count(*) filter (where product_key is not null), "
        "count(*) filter (where product_key is null) from marts.guideline_alerts",
    ) == [(14, 1)]
    comments = query(
        config,
        "select column_name, comment is not null from duckdb_columns() "
        "where table_name = 'coverage_history' "
        "and column_name in ('open_alerts', 'for_approval_images') order by 1",
    )
    assert comments == [("for_approval_images", True), ("open_alerts", True)]


def _without_trend(sql_dir: Path) -> None:
    """The project before marts.coverage_trend and marts.collection_pace, which read the
    history's newer columns."""
    for mart, test in (
        ("coverage_trend", "coverage_trend_reconciles_with_history"),
        ("collection_pace", "collection_pace_sums_to_coverage"),
    ):
        (sql_dir / "marts" / f"{mart}.sql").unlink()
        (sql_dir / "tests" / f"{test}.sql").unlink()
    schema = sql_dir / "schema.toml"
    sections = re.split(r"(?m)^(?=\[)", schema.read_text(encoding="utf-8"))
    kept = [
        s for s in sections if not s.startswith(("[marts.coverage_trend", "[marts.collection_pace"))
    ]
    schema.write_text("".join(kept), encoding="utf-8")


def test_history_built_before_the_new_columns_keeps_its_rows_with_nulls(tmp_path: Path) -> None:
    old_sql = tmp_path / "old_sql"
    shutil.copytree(SQL_DIR, old_sql)
    (old_sql / "marts" / "coverage_history.sql").write_text(OLD_HISTORY, encoding="utf-8")
    _without_trend(old_sql)
    config = _config(tmp_path / "project")
    assert build(config, sql_dir=old_sql, today=date(2025, 3, 3)).ok
    assert "open_alerts" not in {
        r[0] for r in warehouse_query(config, "describe marts.coverage_history")
    }
    # The new model on the existing warehouse: columns added, the old day kept as it was.
    result = build(config, today=date(2025, 3, 10))
    assert result.ok, result.summary_lines()
    assert build(config, today=date(2025, 3, 10)).ok  # and still one snapshot a day
    expected = [
        (date(2025, 3, 3), 7, 6, None, None, 0, 0),
        (date(2025, 3, 10), 7, 6, 14, 1, 7, 7),
    ]
    per_day = (
        "select snapshot_date, count(*), sum(validated_images), sum(open_alerts), "
        "sum(for_approval_images), count(open_alerts), count(for_approval_images) "
        "from marts.coverage_history group by 1 order by 1"
    )
    assert warehouse_query(config, per_day) == expected
    assert query(config, per_day) == expected  # the published copy
    assert query(
        config,
        "select data_type from duckdb_columns() where table_name = 'coverage_history' "
        "and column_name in ('open_alerts', 'for_approval_images')",
    ) == [("BIGINT",), ("BIGINT",)]
