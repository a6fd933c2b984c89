"""The sync's DuckDB connection: bounded memory, spilling beside its own file."""

from __future__ import annotations

from pathlib import Path

from etl.warehouse.duckdb_file import SYNC_ROW_GROUP_SIZE, DuckDBWarehouse, connect


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


def test_sync_connection_checkpoints_less_often_than_the_default(tmp_path: Path) -> None:
    # Each automatic checkpoint compresses the newest row groups again: 64 MB of WAL, not 16.
    with DuckDBWarehouse.open(tmp_path / "w.duckdb") as warehouse:
        row = warehouse.con.execute("select current_setting('checkpoint_threshold')").fetchone()
    assert row == ("61.0 MiB",)  # 64 MB
