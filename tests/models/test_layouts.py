"""Stored marts packed with the string compression of the previous build (etl.models.layouts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from etl.models import build
from etl.models.layouts import REPACK_EVERY, create_table_as, read_layout, repack_due

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


def test_repack_is_due_when_the_table_doubled_or_halved_else_in_turn() -> None:
    assert repack_due(1_000, 2_000, build_number=1, turn=0)
    assert repack_due(1_000, 500, build_number=1, turn=0)
    assert repack_due(0, 10, build_number=1, turn=0)
    assert not repack_due(1_000, 1_999, build_number=1, turn=0)
    assert not repack_due(1_000, 501, build_number=1, turn=0)
    # Same size: once every REPACK_EVERY builds, each table in its own build.
    due = [n for n in range(3 * REPACK_EVERY) if repack_due(1_000, 1_000, n, turn=3)]
    assert due == [REPACK_EVERY - 3, 2 * REPACK_EVERY - 3, 3 * REPACK_EVERY - 3]


def _references(first: int, last: int, name: Callable[[int], str]) -> list[dict[str, Any]]:
    return [
        {"reference_id": i, "ref": f"REF{i:05d}", "smalltext": name(i)}
        for i in range(first, last + 1)
    ]


def test_a_mart_that_grew_tenfold_is_packed_afresh(tmp_path: Path) -> None:
    """A small catalog's choice (three names repeated: a dictionary) is not kept once the catalog
    has grown and its names no longer repeat: both files pack the new rows afresh."""
    config = make_config(tmp_path)
    load_raw(config, {"grandshooting__references": _references(1, 300, lambda i: f"Bag {i % 3}")})
    assert build(config).ok
    warehouse_path = config.resolve(config.warehouse.path)
    warehouse = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        assert read_layout(warehouse, "marts.products").get("label") == "dictionary"
    finally:
        warehouse.close()
    grown = _references(301, 3_000, lambda i: f"Leather tote bag in autumn colours, model {i:05d}")
    load_raw(config, {"grandshooting__references": grown})
    assert build(config).ok
    analytics_path = config.resolve(config.warehouse.analytics_path)
    for path in (warehouse_path, analytics_path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            assert _methods(con, "marts.products", "label") == {"FSST"}, path
            assert con.execute("select count(*) from marts.products").fetchone() == (3_000,)
        finally:
            con.close()
