"""The sync's DuckDB connection: bounded memory, spilling beside its own file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file
from etl.warehouse.duckdb_file import (
    SYNC_ROW_GROUP_SIZE,
    DuckDBWarehouse,
    RawTable,
    StateUpdate,
    connect,
)


def test_connect_spills_beside_the_file(tmp_path: Path) -> None:
    # Not in the working directory's `.tmp`, which every process started there would share.
    path = tmp_path / "w.duckdb"
    con = connect(path, row_group_size=SYNC_ROW_GROUP_SIZE)
    try:
        row = con.execute("select current_setting('temp_directory')").fetchone()
    finally:
        con.close()
    assert row == (f"{path}.tmp",)


def test_sync_connection_memory_is_limited(tmp_path: Path) -> None:
    with DuckDBWarehouse.open(tmp_path / "w.duckdb") as warehouse:
        row = warehouse.con.execute("select current_setting('memory_limit')").fetchone()
    assert row == ("61.0 MiB",)  # 64 MB


def test_sync_connection_leaves_checkpoints_to_the_warehouse(tmp_path: Path) -> None:
    # DuckDB's own trigger is a backstop: the warehouse checkpoints after a batch (`land`).
    with DuckDBWarehouse.open(tmp_path / "w.duckdb") as warehouse:
        row = warehouse.con.execute("select current_setting('checkpoint_threshold')").fetchone()
    assert row == ("953.6 MiB",)  # 1 GB


def land_pictures(warehouse: DuckDBWarehouse, ids: range) -> None:
    table = RawTable(SOURCE, SOURCE.resource("pictures"))
    rows = [{"account_id": 0, "picture_id": i, "_raw": json.dumps({"picture_id": i})} for i in ids]
    state = StateUpdate("grandshooting", "0", "pictures", None, "r1", 1, len(rows))
    warehouse.land(table, rows, state)


def test_warehouse_checkpoints_once_the_wal_reaches_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    wal = tmp_path / "w.duckdb.wal"
    # Groups of 100 rows: each batch below is committed as it lands, then checkpointed.
    with DuckDBWarehouse.open(path, commit_rows=100) as warehouse:
        warehouse.ensure_tables(SOURCE)
        land_pictures(warehouse, range(1, 101))
        # 100 rows: far below 64 MB, still in the WAL.
        assert wal.stat().st_size > 0
        monkeypatch.setattr(duckdb_file, "SYNC_CHECKPOINT_BYTES", wal.stat().st_size + 1)
        land_pictures(warehouse, range(101, 201))
        # Past the threshold: checkpointed into the file, the WAL emptied.
        assert not wal.exists() or wal.stat().st_size == 0
        count = warehouse.con.execute("select count(*) from raw.grandshooting__pictures")
        assert count.fetchone() == (200,)
