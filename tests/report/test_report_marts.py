"""The report's figures equal the same figures selected straight from the base marts.

On the hand-built account of tests/models/scenario.py, built for real: the report reads its own
marts (coverage_by_scope, alerts_by_type, production_status...), the expected values here are
computed from marts.shotlist_coverage, marts.guideline_alerts and marts.deliverables alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from etl.config import Config
from etl.models import build
from etl.report import prepare_report
from etl.report.data import ReportData
from etl.report.scope import resolve_scope
from tests.models import scenario
from tests.models.helpers import load_raw, make_config, query

AS_OF = datetime(2025, 3, 3, 12, 0)
# Filters on coverage columns, and the matching condition on marts.shotlist_coverage.
SCOPES = [
    ([], "true"),
    (["brand=ACME"], "brand = 'ACME'"),
    (["category=RTW > Shoes", "category=RTW > Tops"], "category in ('RTW > Shoes', 'RTW > Tops')"),
    (
        ["source=grandshooting", "guideline=Handbags"],
        "source = 'grandshooting' and guideline = 'Handbags'",
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = make_config(tmp_path_factory.mktemp("marts"), guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    result = build(config, today=date(2025, 3, 3))
    assert result.ok, result.summary_lines()
    return config


def _report(config: Config, where: list[str]) -> ReportData:
    with prepare_report(config, resolve_scope(config, None, where), as_of=AS_OF) as prepared:
        return prepared.data


def _one(config: Config, sql: str) -> Any:
    [(value,)] = query(config, sql)
    return value


@pytest.mark.parametrize(("where", "condition"), SCOPES)
def test_report_kpis_equal_the_base_marts(built: Config, where: list[str], condition: str) -> None:
    data = _report(built, where)
    products = f"select * from marts.shotlist_coverage where {condition}"
    assert _one(built, f"select count(*) from ({products})") > 0  # the filter keeps products
    assert data.kpi("products").value == _one(built, f"select count(*) from ({products})")
    covered, expected = query(
        built,
        "select sum(least(validated_images, expected_images)) filter (where expected_images > 0),"
        f" sum(expected_images) from ({products})",
    )[0]
    assert data.kpi("coverage").value == (pytest.approx(covered / expected) if expected else None)
    assert data.kpi("missing").value == _one(
        built, f"select coalesce(sum(missing_images), 0) from ({products})"
    )
    on_no_product = "a.product_key is null or " if not where else ""
    in_scope = (
        f"({on_no_product}exists (select 1 from ({products}) p "
        "where p.source = a.source and p.product_key = a.product_key))"
    )
    assert data.kpi("alerts").value == _one(
        built, f"select count(*) from marts.guideline_alerts a where {in_scope}"
    )
    linked = (
        "exists (select 1 from marts.deliverable_products l "
        f"join ({products}) p on p.source = l.source and p.product_key = l.product_key "
        "where l.source = d.source and l.deliverable_key = d.deliverable_key)"
    )
    backlog_scope = "true" if not where else linked
    assert data.kpi("backlog").value == _one(
        built,
        "select count(*) from marts.deliverables d "
        f"where status_group = 'for_approval' and {backlog_scope}",
    )
    by_category = query(
        built,
        "select coalesce(category, '(none)'), count(*), coalesce(sum(expected_images), 0), "
        "coalesce(sum(validated_images), 0), coalesce(sum(missing_images), 0), "
        "count(*) filter (where coverage_status = 'complete'), "
        "count(*) filter (where coverage_status = 'not_started') "
        f"from ({products}) group by 1 order by 2 desc, 1",
    )
    assert [
        (
            r["category"],
            r["products"],
            r["expected_images"],
            r["validated_images"],
            r["missing_images"],
            r["complete"],
            r["not_started"],
        )
        for r in data.by_category.dicts()
    ] == by_category
    by_type = query(
        built,
        "select alert_type, severity, count(*), count(distinct product_key) "
        f"from marts.guideline_alerts a where {in_scope} group by all",
    )
    counts = [
        (r["alert_type"], r["severity"], r["alerts"], r["products"])
        for r in data.alerts_by_type.dicts()
    ]
    assert sorted(counts) == sorted(by_type)
    assert [r["severity"] for r in data.alerts_by_type.dicts()] == sorted(
        (r[1] for r in by_type), key=lambda s: s != "error"
    )


def test_report_status_by_production_equals_the_deliverables(built: Config) -> None:
    data = _report(built, [])
    totals = query(
        built,
        "select coalesce(production, '(none)'), count(*) from marts.deliverables "
        "group by 1 order by 2 desc, 1",
    )
    assert [(r["production"], r["total"]) for r in data.status_by_production.dicts()] == totals
    groups = query(built, "select distinct status_group from marts.deliverables")
    assert sorted(data.status_groups) == sorted(g for (g,) in groups)


def test_report_progress_equals_the_history(built: Config) -> None:
    data = _report(built, ["brand=ACME"])
    history = query(
        built,
        "select h.snapshot_date, sum(h.validated_images) from marts.coverage_history h "
        "join marts.shotlist_coverage c on c.source = h.source and c.product_key = h.product_key "
        "where c.brand = 'ACME' group by 1 order by 1",
    )
    assert [(p.week, p.validated) for p in data.progress] == [
        (day - timedelta(days=day.weekday()), n) for day, n in history
    ]
