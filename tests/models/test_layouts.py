"""Stored marts packed with the string compression of the previous build (etl.models.layouts)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.models import build
from etl.models.layouts import create_table_as, read_layout

from .helpers import load_raw, make_config

ROWS = 150_000


def _file_with_strings(path: Path) -> duckdb.DuckDBPyConnection:
    """A table whose `status` has three values (a dictionary) and `note` is never repeated."""
    con = duckdb.connect(str(path))
    con.execute(
        f"""create table t as select
            i as n,
            ['done', 'waiting', 'refused'][i % 3 + 1] as status,
            'picture ' || i || ' of production ' || (i % 97) || ' in studio B' as note
        from range({ROWS}) r(i)"""
    )
    con.execute("checkpoint")
    return con


def _methods(con: duckdb.DuckDBPyConnection, table: str, column: str) -> set[str]:
    rows = con.execute(
        "select distinct compression from pragma_storage_info(?) "
        "where segment_type = 'VARCHAR' and column_name = ?",
        [table, column],
    ).fetchall()
    return {method for (method,) in rows}


def test_read_layout_names_each_string_columns_compression(tmp_path: Path) -> None:
    con = _file_with_strings(tmp_path / "w.duckdb")
    assert read_layout(con, "t") == {"status": "dictionary", "note": "fsst"}
    assert read_layout(con, "missing") == {}


def test_create_table_as_packs_as_told_and_keeps_the_rows(tmp_path: Path) -> None:
    con = _file_with_strings(tmp_path / "w.duckdb")
    # The opposite of what DuckDB chose: the layout is followed, the rows are the same.
    create_table_as(con, "u", "t", {"status": "fsst", "note": "dictionary"}, replace=False)
    con.execute("checkpoint")
    assert _methods(con, "u", "status") == {"FSST"}
    assert "FSST" not in _methods(con, "u", "note")
    differing = con.execute(
        "select count(*) from (select * from t except all select * from u)"
        " union all select count(*) from (select * from u except all select * from t)"
    ).fetchall()
    assert differing == [(0,), (0,)]
    create_table_as(con, "u", "t", None, replace=True)
    assert con.execute("select count(*), sum(n) from u").fetchone() == (
        ROWS,
        ROWS * (ROWS - 1) // 2,
    )


def test_rebuild_packs_warehouse_and_analytics_marts_alike(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    refs = [
        {"reference_id": i, "ref": f"REF{i:05d}", "smalltext": f"Product {i}"}
        for i in range(1, 301)
    ]
    load_raw(config, {"grandshooting__references": refs})
    assert build(config).ok
    assert build(config).ok
    warehouse = duckdb.connect(str(config.resolve(config.warehouse.path)), read_only=True)
    analytics = duckdb.connect(str(config.resolve(config.warehouse.analytics_path)), read_only=True)
    try:
        stored = read_layout(warehouse, "marts.products")
        assert stored
        assert read_layout(analytics, "marts.products") == stored
        assert analytics.execute("select count(*) from marts.products").fetchone() == (300,)
    finally:
        warehouse.close()
        analytics.close()
