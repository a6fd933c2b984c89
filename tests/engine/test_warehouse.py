"""Landing: typed raw tables, upsert by key, atomic batches with their checkpoint."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from etl.warehouse.protocol import Warehouse


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = wh.connect(tmp_path / "w.duckdb")
    wh.ensure_raw_tables(connection, SOURCE)
    yield connection
    connection.close()


def picture_row(picture_id: int, status: int, **extra: object) -> dict[str, object]:
    return {
        "account_id": 0,
        "picture_id": picture_id,
        "picturestatus": status,
        "child_ids": [],
        "alerts": ["missing_view"],
        "date_mod": datetime(2026, 11, 1, 10, 0),
        "_raw": json.dumps({"picture_id": picture_id}),
        "_synced_at": datetime(2026, 11, 22, 8, 0),
        "_run_id": "r1",
        "_deleted_at": None,
        **extra,
    }


def state(pages: int, rows: int, checkpoint: dict[str, object] | None) -> wh.StateUpdate:
    return wh.StateUpdate("grandshooting", "0", "pictures", checkpoint, "r1", pages, rows)


def test_warehouse_raw_table_has_typed_columns(con: duckdb.DuckDBPyConnection) -> None:
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'grandshooting__pictures'"
        ).fetchall()
    )
    assert types["account_id"] == "BIGINT"
    assert types["picture_id"] == "BIGINT"
    assert types["date_mod"] == "TIMESTAMP"
    assert types["child_ids"] == "JSON"
    assert types["reference_id"] == "VARCHAR"
    assert types["_raw"] == "JSON"
    assert types["_deleted_at"] == "TIMESTAMP"


def test_warehouse_upsert_replaces_by_key(con: duckdb.DuckDBPyConnection) -> None:
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    wh.start_run_row(con, "r1", "grandshooting", "0", "pictures", "full")
    wh.land(
        con,
        table,
        wh.rows_frame(table, [picture_row(1, 10), picture_row(2, 30)]),
        state(1, 2, None),
    )
    # The same key again, twice in one batch: the last copy wins, nothing is duplicated.
    batch = [picture_row(2, 40), picture_row(3, 50), picture_row(2, 50)]
    wh.land(con, table, wh.rows_frame(table, batch), state(2, 5, {"mode": "full"}))
    rows = con.execute(
        "select picture_id, picturestatus, alerts::varchar from raw.grandshooting__pictures "
        "order by 1"
    ).fetchall()
    assert rows == [
        (1, 10, '["missing_view"]'),
        (2, 50, '["missing_view"]'),
        (3, 50, '["missing_view"]'),
    ]
    run = con.execute("select pages, rows from meta.sync_runs where run_id = 'r1'").fetchone()
    assert run == (2, 5)
    _, checkpoint = wh.read_state(con, "grandshooting", "0", "pictures")
    assert checkpoint == {"mode": "full"}


def test_warehouse_json_columns_land_as_sent(con: duckdb.DuckDBPyConnection) -> None:
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    # JSON text lands unparsed, verbatim; a text that is not JSON lands as a JSON string.
    raw = '{"picture_id": 1,  "note": "é"}'
    row = picture_row(1, 10, _raw=raw, frame="plain text", alerts=[])
    wh.land(con, table, wh.rows_frame(table, [row]), state(1, 1, None))
    stored = con.execute(
        "select _raw::varchar, frame::varchar, alerts::varchar, typeof(_raw), typeof(frame) "
        "from raw.grandshooting__pictures"
    ).fetchone()
    assert stored == (raw, '"plain text"', "[]", "JSON", "JSON")


def test_warehouse_upsert_replaces_only_keys_of_the_batch(
    con: duckdb.DuckDBPyConnection,
) -> None:
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    first = [picture_row(i, 10) for i in (1, 5, 9, 20)]
    wh.land(con, table, wh.rows_frame(table, first), state(1, 4, None))
    # Keys 5 and 9 bound the batch's range; 7 is new inside it, 1 and 20 lie outside it.
    second = [picture_row(9, 30), picture_row(5, 30), picture_row(7, 30)]
    wh.land(con, table, wh.rows_frame(table, second), state(2, 7, None), keep_newer="date_mod")
    rows = con.execute(
        "select picture_id, picturestatus from raw.grandshooting__pictures order by 1"
    ).fetchall()
    assert rows == [(1, 10), (5, 30), (7, 30), (9, 30), (20, 10)]


def test_warehouse_failed_batch_leaves_nothing(con: duckdb.DuckDBPyConnection) -> None:
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    wh.land(con, table, wh.rows_frame(table, [picture_row(1, 10)]), state(1, 1, {"at": 1}))
    # A quarantine row that cannot be written (wrong arity) makes the whole batch roll back.
    with pytest.raises(ValueError):
        wh.land(
            con,
            table,
            wh.rows_frame(table, [picture_row(1, 99), picture_row(7, 99)]),
            state(2, 3, {"at": 2}),
            quarantined=[("k", "reason")],  # type: ignore[list-item]
        )
    rows = con.execute(
        "select picture_id, picturestatus from raw.grandshooting__pictures order by 1"
    ).fetchall()
    assert rows == [(1, 10)]
    _, checkpoint = wh.read_state(con, "grandshooting", "0", "pictures")
    assert checkpoint == {"at": 1}


def test_warehouse_full_pass_marks_vanished_rows(con: duckdb.DuckDBPyConnection) -> None:
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    old = picture_row(1, 10, _synced_at=datetime(2026, 11, 1))
    kept = picture_row(2, 10, _synced_at=datetime(2026, 11, 22, 9))
    wh.land(con, table, wh.rows_frame(table, [old, kept]), state(1, 2, None))
    marked = wh.finish_pass(
        con,
        table,
        0,
        pass_started_at=datetime(2026, 11, 22, 8),
        complete_scan=True,
        watermark_column="date_mod",
    )
    assert marked == 1
    deleted = con.execute(
        "select picture_id from raw.grandshooting__pictures where _deleted_at is not null"
    ).fetchall()
    assert deleted == [(1,)]
    watermark, checkpoint = wh.read_state(con, "grandshooting", "0", "pictures")
    assert watermark == datetime(2026, 11, 1, 10, 0)
    assert checkpoint is None


def test_warehouse_new_model_field_adds_a_column(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("alter table raw.grandshooting__pictures drop column look_id")
    wh.ensure_raw_tables(con, SOURCE)
    names = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_name = 'grandshooting__pictures'"
        ).fetchall()
    ]
    assert "look_id" in names


def test_warehouse_object_lands_rows_with_checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    # The engine only sees the `Warehouse` object: rows in, checkpoint and run row updated.
    warehouse: Warehouse = wh.DuckDBWarehouse(con)
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    warehouse.start_run("r1", "grandshooting", "0", "pictures", "full")
    warehouse.land(table, [picture_row(1, 10), picture_row(2, 30)], state(1, 2, {"at": 2}))
    warehouse.land(table, [], state(2, 2, {"at": 3}))
    assert warehouse.read_state("grandshooting", "0", "pictures") == (None, {"at": 3})
    assert warehouse.count_since(table, 0, datetime(2026, 11, 22, 8, 0)) == 2
    parents = warehouse.parent_rows(table, 0, ["picture_id"])
    assert sorted(p["picture_id"] for p in parents) == [1, 2]
    assert con.execute(
        "select mode, pages, rows, status from meta.sync_runs where run_id = 'r1'"
    ).fetchall() == [("full", 2, 2, "running")]


def test_warehouse_child_reads_round_trip(con: duckdb.DuckDBPyConnection) -> None:
    warehouse = wh.DuckDBWarehouse(con)
    assert warehouse.child_reads("kitsu", "0", "tasks") == {}
    warehouse.record_child_reads("kitsu", "0", "tasks", {"a": "v1", "b": "v2"})
    warehouse.record_child_reads("kitsu", "0", "tasks", {"a": "v3"})
    assert warehouse.child_reads("kitsu", "0", "tasks") == {"a": "v3", "b": "v2"}
    assert warehouse.child_reads("kitsu", "1", "tasks") == {}


def test_warehouse_lenient_values_land_typed_and_keep_the_batch(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Values Arrow will not take as they are: a bool, a numeric string, a float, an integer
    # past 64 bits. Each becomes its typed value or null; the other rows and fields land.
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    wh.start_run_row(con, "r1", "grandshooting", "0", "pictures", "full")
    batch = [picture_row(1, True), picture_row(2, "7"), picture_row(3, 2.9), picture_row(4, 2**70)]
    wh.land(con, table, wh.rows_frame(table, batch), state(1, 4, None))
    rows = con.execute(
        "select picture_id, picturestatus, alerts::varchar from raw.grandshooting__pictures "
        "order by 1"
    ).fetchall()
    assert rows == [
        (1, 1, '["missing_view"]'),
        (2, 7, '["missing_view"]'),
        (3, 2, '["missing_view"]'),
        (4, None, '["missing_view"]'),
    ]


def test_sync_writer_attaches_small_row_groups_under_the_usual_name(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with wh.DuckDBWarehouse.open(path) as warehouse:
        con = warehouse.con
        assert con.execute("select current_database()").fetchone() == ("warehouse",)
        con.execute(f"create table raw.wide as select range as i from range({3 * 16_384})")
        groups = con.execute(
            "select count(distinct row_group_id) from pragma_storage_info('raw.wide')"
        ).fetchone()
    assert groups == (3,)
    # A plain reader sees the same tables and rows.
    reader = wh.connect(path, read_only=True)
    try:
        assert reader.execute("select count(*) from raw.wide").fetchone() == (3 * 16_384,)
    finally:
        reader.close()


def test_sync_writer_stores_raw_text_with_fsst(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    table = wh.RawTable(SOURCE, SOURCE.resource("pictures"))
    # The same text in every row: left to itself, DuckDB would store it as a dictionary.
    rows = [picture_row(i, 10, _raw=json.dumps({"same": "text"})) for i in range(3_000)]
    with wh.DuckDBWarehouse.open(path) as warehouse:
        warehouse.ensure_tables(SOURCE)
        warehouse.land(table, rows, state(1, len(rows), None))
        warehouse.commit()
        warehouse.con.execute("checkpoint")
        kinds = warehouse.con.execute(
            "select distinct column_name, compression from pragma_storage_info(?) "
            "where column_name in ('_raw', '_run_id') and segment_type <> 'VALIDITY' "
            "order by 1",
            [table.name],
        ).fetchall()
    # Only `_raw` is told how: a column of few texts keeps its dictionary.
    assert kinds == [("_raw", "FSST"), ("_run_id", "Dictionary")]
