"""`shotlist migrate --to`: a file warehouse copied into a lake, history included, no re-sync."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.lake.attach import attach_lake
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse, RawTable, StateUpdate
from etl.warehouse_kind import lake_settings
from tests.lake.compare import compare, relations, unequal
from tests.lake.services import Postgres
from tests.lake.simulated import config, lake_section


def _file_warehouse(folder: Path) -> Path:
    """A small file warehouse: landed rows with a deletion mark, a run row, history."""
    path = folder / "data" / "warehouse.duckdb"
    with DuckDBWarehouse.open(path) as warehouse:
        warehouse.ensure_tables(SOURCE)
        table = RawTable(SOURCE, SOURCE.resource("benches"))
        warehouse.start_run("run-1", "grandshooting", "0", "benches", "full")
        rows = [
            {"account_id": 0, "bench_id": i, "_raw": {"bench_id": i}, "_run_id": "run-1"}
            for i in (1, 2, 3)
        ]
        state = StateUpdate("grandshooting", "0", "benches", {"mode": "full"}, "run-1", 1, 3)
        warehouse.land(table, rows, state)
        warehouse.con.execute(f"update {table.name} set _deleted_at = now() where bench_id = 3")
        warehouse.end_run(
            "run-1", "grandshooting", "0", "benches", status="ok", error=None, pages=1, rows=3
        )
        warehouse.con.execute("create schema marts")
        warehouse.con.execute(
            "create table marts.coverage_history as "
            "select date '2026-11-23' + i::integer as snapshot_date, i as products "
            "from range(3) t(i)"
        )
    return path


def test_migrate_copies_every_table_then_refuses_a_lake_with_rows(
    postgres: Postgres, lake_name: str, tmp_path: Path
) -> None:
    file = config(tmp_path / "file")
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    path = _file_warehouse(tmp_path / "file")
    assert file.path is not None and lake.path is not None
    runner = CliRunner()
    done = runner.invoke(cli, ["--config", str(file.path), "migrate", "--to", str(lake.path)])
    assert done.exit_code == 0, done.output
    assert "rows into lake postgres:" in done.output
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as filewh (read_only)")
        attach_lake(con, lake_settings(lake), base_dir=lake.base_dir(), read_only=True)
        for schema in ("raw", "meta", "marts"):
            # The lake also has the (empty) raw tables of every other source.
            copied = relations(con, "filewh", schema)
            result = {
                t: v for t, v in compare(con, "filewh", "lake", schema).items() if t in copied
            }
            assert len(result) == len(copied) and unequal(result) == {}, schema
        assert con.execute(
            "select bench_id, _deleted_at is not null "
            "from lake.raw.grandshooting__benches order by 1"
        ).fetchall() == [(1, False), (2, False), (3, True)]
        assert con.execute("select count(*) from lake.marts.coverage_history").fetchone() == (3,)
    finally:
        con.close()
    again = runner.invoke(cli, ["--config", str(file.path), "migrate", "--to", str(lake.path)])
    assert again.exit_code == 1
    assert "not empty" in again.output and "migrate only into a new lake" in again.output


@pytest.mark.parametrize("direction", ["lake-to-file", "lake-to-lake"])
def test_migrate_only_goes_from_a_file_to_a_lake(
    postgres: Postgres, lake_name: str, tmp_path: Path, direction: str
) -> None:
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    target = config(tmp_path / "file") if direction == "lake-to-file" else lake
    assert lake.path is not None and target.path is not None
    done = CliRunner().invoke(
        cli, ["--config", str(lake.path), "migrate", "--to", str(target.path)]
    )
    assert done.exit_code == 1
    assert "migrate copies a DuckDB-file warehouse" in done.output
