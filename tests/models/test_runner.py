"""The model runner: order from the SQL, failures and skips, data tests, meta tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.models import build
from etl.models.discovery import dependency_order, discover, referenced_relations
from etl.models.errors import ModelDefinitionError

from .helpers import make_config, query, warehouse_query


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_referenced_relations_ignore_comments_and_strings() -> None:
    sql = (
        "-- reads marts.not_this\n"
        "select 'staging.nor_this' as s, x.y /* intermediate.nope */\n"
        "from staging.real_one join marts.Other_One using (k)"
    )
    assert referenced_relations(sql) == {"staging.real_one", "marts.other_one"}


def test_order_is_derived_from_what_models_read(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            # Alphabetical order is the reverse of the dependency order.
            "marts/a_report.sql": "select * from intermediate.m_middle",
            "intermediate/m_middle.sql": "select * from marts.z_base",
            "marts/z_base.sql": "select * from staging.src",
            "staging/src.sql": "select 1 as k from raw.anything",
        },
    )
    order = [m.relation for m in dependency_order(discover(sql))]
    assert order == ["staging.src", "marts.z_base", "intermediate.m_middle", "marts.a_report"]


def test_unknown_model_and_cycle_are_errors(tmp_path: Path) -> None:
    unknown = _write(tmp_path / "u", {"marts/a.sql": "select 1\nfrom marts.missing"})
    with pytest.raises(ModelDefinitionError, match=r"a\.sql:2: reads marts\.missing"):
        dependency_order(discover(unknown))
    cycle = _write(
        tmp_path / "c",
        {"marts/a.sql": "select * from marts.b", "marts/b.sql": "select * from marts.a"},
    )
    with pytest.raises(ModelDefinitionError, match="cycle"):
        dependency_order(discover(cycle))


def test_failing_model_stops_dependants_and_names_file_line_message(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            "staging/base.sql": "select 1 as id, 'x' as name",
            "marts/broken.sql": "-- a comment line\nselect\n    id,\n    no_such_column\n"
            "from staging.base",
            "marts/downstream.sql": "select * from marts.broken",
            "marts/further.sql": "select * from marts.downstream",
            "marts/fine.sql": "select id from staging.base",
        },
    )
    config = make_config(tmp_path / "project")
    result = build(config, sql_dir=sql)
    statuses = {m.model: m.status for m in result.models}
    assert statuses == {
        "staging.base": "success",
        "marts.broken": "error",
        "marts.downstream": "skipped",
        "marts.further": "skipped",
        "marts.fine": "success",
    }
    broken = next(m for m in result.models if m.model == "marts.broken")
    assert broken.line == 4
    assert broken.error is not None
    assert broken.error.startswith(f"{sql / 'marts' / 'broken.sql'}:4: Binder Error")
    assert "no_such_column" in broken.error
    assert not result.ok
    assert result.published is None
    assert result.error == f"1 model(s) failed, first: {broken.error}"
    runs = warehouse_query(config, "select model, status, rows from meta.model_runs order by model")
    assert runs == [
        ("marts.broken", "error", None),
        ("marts.downstream", "skipped", None),
        ("marts.fine", "success", 1),
        ("marts.further", "skipped", None),
        ("staging.base", "success", None),
    ]


def test_a_failed_rebuild_keeps_the_previous_table(tmp_path: Path) -> None:
    sql = _write(tmp_path / "sql", {"marts/t.sql": "select 1 as id union all select 2"})
    config = make_config(tmp_path / "project")
    assert build(config, sql_dir=sql).ok
    (sql / "marts" / "t.sql").write_text("select 1 / 'x'::integer as id", encoding="utf-8")
    assert not build(config, sql_dir=sql).ok
    assert warehouse_query(config, "select count(*) from marts.t") == [(2,)]


def test_a_model_can_change_between_table_and_view(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            "marts/m.sql": "select 1 as id union all select 2",
            "marts/t.sql": "select count(*) as n from marts.m",
        },
    )
    config = make_config(tmp_path / "project")
    kinds = (
        "select 'table', table_name from duckdb_tables() where table_name = 'm' "
        "union all select 'view', view_name from duckdb_views() where view_name = 'm'"
    )
    assert build(config, sql_dir=sql).ok
    assert warehouse_query(config, kinds) == [("table", "m")]
    (sql / "marts" / "m.sql").write_text(
        "-- materialized: view\nselect 1 as id union all select 2 union all select 3",
        encoding="utf-8",
    )
    assert build(config, sql_dir=sql).ok
    assert warehouse_query(config, kinds) == [("view", "m")]
    assert query(config, "select n from marts.t") == [(3,)]
    (sql / "marts" / "m.sql").write_text("select 1 as id", encoding="utf-8")
    assert build(config, sql_dir=sql).ok
    assert warehouse_query(config, kinds) == [("table", "m")]
    assert query(config, "select n from marts.t") == [(1,)]


def test_intermediate_models_live_in_memory_for_the_build_only(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            "intermediate/m.sql": "select 1 as id union all select 2",
            "marts/t.sql": "select count(*) as n from intermediate.m",
        },
    )
    config = make_config(tmp_path / "project")
    # A warehouse built by an older version kept the layer as a schema: it is dropped.
    warehouse = config.resolve(config.warehouse.path)
    con = duckdb.connect(str(warehouse))
    con.execute("create schema intermediate")
    con.execute("create table intermediate.old as select 1 as id")
    con.close()
    result = build(config, sql_dir=sql)
    assert result.ok, result.summary_lines()
    assert query(config, "select n from marts.t") == [(2,)]
    assert [m.rows for m in result.models if m.model == "intermediate.m"] == [2]
    layer = "select count(*) from duckdb_schemas() where schema_name = 'intermediate'"
    assert warehouse_query(config, layer) == [(0,)]
    # Built again (the memory is gone by then): same result.
    assert build(config, sql_dir=sql).ok
    assert query(config, "select n from marts.t") == [(2,)]


def test_in_memory_layer_models_are_tables_and_no_view_reads_them(tmp_path: Path) -> None:
    view = _write(tmp_path / "v", {"intermediate/m.sql": "-- materialized: view\nselect 1 as id"})
    with pytest.raises(ModelDefinitionError, match="built in memory for the build, as tables"):
        discover(view)
    reader = _write(
        tmp_path / "r",
        {
            "intermediate/m.sql": "select 1 as id",
            "marts/v.sql": "-- materialized: view\nselect *\nfrom intermediate.m",
        },
    )
    with pytest.raises(ModelDefinitionError, match=r"v\.sql:3: a view cannot read intermediate\.m"):
        dependency_order(discover(reader))


def test_error_level_data_test_fails_build_with_rows_and_count(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            "marts/items.sql": "select * from (values (1, 'a'), (2, null), (3, null), "
            "(3, 'c')) as t(id, label)",
            "schema.toml": """
[marts.items]
description = "Items."
[marts.items.columns.id]
description = "Id."
tests = ["unique"]
[marts.items.columns.label]
description = "Label."
tests = [{ not_null = true, severity = "warn" }]
""",
            "tests/no_big_ids.sql": "-- severity: error\nselect * from marts.items where id > 2",
        },
    )
    config = make_config(tmp_path / "project")
    result = build(config, sql_dir=sql)
    assert not result.ok
    assert result.published is None
    failures = {t.name: (t.failures, t.sample) for t in result.test_failures}
    assert failures == {
        "unique_marts_items_id": (1, [{"id": 3, "n_rows": 2}]),
        "no_big_ids": (2, [{"id": 3, "label": None}, {"id": 3, "label": "c"}]),
    }
    warnings = [(t.name, t.failures) for t in result.test_warnings]
    assert warnings == [("not_null_marts_items_label", 2)]
    lines = result.summary_lines()
    assert (
        "FAIL unique_marts_items_id (marts.items.id): 1 failing row(s), first: "
        '{"id": 3, "n_rows": 2}' in lines
    )
    recorded = warehouse_query(
        config,
        "select test, severity, status, failures from meta.test_results order by test",
    )
    assert recorded == [
        ("no_big_ids", "error", "fail", 2),
        ("not_null_marts_items_label", "warn", "fail", 2),
        ("unique_marts_items_id", "error", "fail", 1),
    ]


def test_warn_only_failures_still_publish(tmp_path: Path) -> None:
    sql = _write(
        tmp_path / "sql",
        {
            "marts/items.sql": "select 1 as id, null as label",
            "schema.toml": "[marts.items.columns.label]\ntests = [{ not_null = true, "
            'severity = "warn" }]\n',
        },
    )
    config = make_config(tmp_path / "project")
    result = build(config, sql_dir=sql)
    assert result.ok
    assert query(config, "select id from marts.items") == [(1,)]


def test_empty_warehouse_builds_every_mart(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    result = build(config)
    assert result.ok, result.summary_lines()
    counts = query(
        config,
        "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
        "order by 1",
    )
    assert counts == [
        ("alerts_by_type", 0),
        ("approval_backlog", 0),
        ("approval_backlog_age", 0),
        ("collection_pace", 0),
        ("coverage_by_scope", 0),
        ("coverage_history", 0),
        ("coverage_trend", 0),
        ("deliverable_products", 0),
        ("deliverables", 0),
        ("guideline_alerts", 0),
        ("product_workload", 0),
        ("production_status", 0),
        ("production_urgency", 0),
        ("products", 0),
        ("products_behind", 0),
        ("report_alerts", 0),
        ("shotlist_coverage", 0),
        ("status_breakdown", 0),
    ]
    assert all(t.status == "pass" for t in result.tests)


def test_every_mart_column_is_documented(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert build(config).ok
    undocumented = query(
        config,
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
        "and coalesce(comment, '') = '' order by all",
    )
    assert undocumented == []
    tables = query(
        config,
        "select count(*) from duckdb_tables() where schema_name = 'marts' "
        "and coalesce(comment, '') <> ''",
    )
    assert tables == [(18,)]  # every mart: 7, the 6 the report reads, and the 5 for actions
