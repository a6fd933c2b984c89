"""Run and checkpoint rows on a lake: versions per batch, no Parquet file each, no conflict."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.config import Config
from etl.lake.attach import connect_lake
from etl.lake.meta import STATE, MetaRows
from etl.lake.warehouse import DuckLakeWarehouse
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import META_DDL
from etl.warehouse.tables import RawTable, StateUpdate
from etl.warehouse_kind import lake_settings
from tests.lake.services import Postgres
from tests.lake.simulated import config, lake_section

RESOURCE = next(r for r in SOURCE.resources if r.name == "pictures")


def _picture(picture_id: int) -> dict[str, object]:
    return {
        "account_id": 0,
        "picture_id": picture_id,
        "picturestatus": 1,
        "child_ids": [],
        "alerts": [],
        "date_mod": datetime(2026, 11, 1, 10, 0),
        "_raw": json.dumps({"picture_id": picture_id}),
        "_synced_at": datetime(2026, 11, 22, 8, 0),
        "_run_id": "r1",
        "_deleted_at": None,
    }


def test_lake_meta_rows_stay_inlined_and_keep_their_columns(
    postgres: Postgres, lake_name: str, tmp_path: Path
) -> None:
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    table = RawTable(SOURCE, RESOURCE)
    scopes = [("grandshooting", "0")]
    with DuckLakeWarehouse.open_lake(
        lake_settings(lake), base_dir=lake.base_dir(), scopes=scopes, sources=[SOURCE]
    ) as warehouse:
        warehouse.start_run("r1", "grandshooting", "0", "pictures", "full")
        for batch in range(3):
            rows = [_picture(batch * 10 + i) for i in range(10)]
            state = StateUpdate(
                "grandshooting", "0", "pictures", {"page": batch}, "r1", batch + 1, 10 * batch + 10
            )
            warehouse.land(table, rows, state)
        assert warehouse.read_state("grandshooting", "0", "pictures") == (None, {"page": 2})
        warehouse.finish_pass(
            table,
            0,
            pass_started_at=datetime(2026, 11, 22, 7, 0),
            complete_scan=True,
            watermark_column="date_mod",
        )
        warehouse.end_run(
            "r1", "grandshooting", "0", "pictures", status="ok", error=None, pages=3, rows=30
        )
    # The last run row is written when the warehouse closes (with the next transaction).
    con = connect_lake(lake_settings(lake), base_dir=lake.base_dir(), read_only=True)
    try:
        runs = con.execute(
            "select mode, status, pages, rows, started_at is not null, ended_at is not null "
            "from meta.sync_runs where run_id = 'r1'"
        ).fetchall()
        states = con.execute(
            "select watermark, pass, last_success_at is not null, last_full_at is not null "
            "from meta.sync_state where source = 'grandshooting'"
        ).fetchall()
        # The meta tables' live rows sit in the catalog (inlined), not in Parquet files.
        files = con.execute(
            f"""select t.table_name, count(*)
                from __ducklake_metadata_lake.{lake_name}.ducklake_data_file f
                join __ducklake_metadata_lake.{lake_name}.ducklake_table t using (table_id)
                where t.end_snapshot is null
                  and t.table_name in ('sync_runs_versions', 'sync_state_versions')
                group by 1"""
        ).fetchall()
        # Closing removed the versions the newest ones replaced: one row per key is left.
        versions = con.execute(
            "select (select count(*) from meta.sync_runs_versions), "
            "(select count(*) from meta.sync_state_versions)"
        ).fetchone()
        pictures = con.execute(f"select count(*) from {table.name}").fetchone()
    finally:
        con.close()
    assert runs == [("full", "ok", 3, 30, True, True)]
    assert states == [(datetime(2026, 11, 1, 10, 0), None, True, True)]
    assert files == []
    assert versions == (1, 1)
    assert pictures == (30,)


def _old_lake(lake: Config) -> None:
    """A lake as versions before run and checkpoint versions left it: plain tables."""
    con = connect_lake(lake_settings(lake), base_dir=lake.base_dir(), inline=True)
    try:
        for statement in META_DDL:
            con.execute(statement)
        con.execute(
            "insert into meta.sync_runs values ('r0', 'grandshooting', '0', 'pictures', "
            "'full', timestamp '2026-11-20 08:00', timestamp '2026-11-20 08:01', 2, 20, "
            "'ok', null)"
        )
        con.execute(
            "insert into meta.sync_state values ('grandshooting', '0', 'pictures', "
            "timestamp '2026-11-19 10:00', timestamp '2026-11-20 08:01', "
            "timestamp '2026-11-20 08:01', null)"
        )
    finally:
        con.close()


def test_an_older_lake_keeps_its_run_and_checkpoint_rows_as_first_versions(
    postgres: Postgres, lake_name: str, tmp_path: Path
) -> None:
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    _old_lake(lake)
    scopes = [("grandshooting", "0")]
    with DuckLakeWarehouse.open_lake(
        lake_settings(lake), base_dir=lake.base_dir(), scopes=scopes, sources=[SOURCE]
    ) as warehouse:
        assert warehouse.read_state("grandshooting", "0", "pictures") == (
            datetime(2026, 11, 19, 10, 0),
            None,
        )
        warehouse.start_run("r1", "grandshooting", "0", "pictures", "incremental")
        state = StateUpdate("grandshooting", "0", "pictures", {"page": 0}, "r1", 1, 1)
        warehouse.land(RawTable(SOURCE, RESOURCE), [_picture(1)], state)
    con = connect_lake(lake_settings(lake), base_dir=lake.base_dir(), read_only=True)
    try:
        runs = con.execute(
            "select run_id, status, pages, rows from meta.sync_runs order by run_id"
        ).fetchall()
        states = con.execute("select watermark, pass from meta.sync_state").fetchall()
        kinds = con.execute(
            "select view_name from duckdb_views() where database_name = 'lake' "
            "and schema_name = 'meta' order by 1"
        ).fetchall()
    finally:
        con.close()
    assert runs == [("r0", "ok", 2, 20), ("r1", "running", 1, 1)]
    assert states == [(datetime(2026, 11, 19, 10, 0), '{"page": 0}')]
    assert kinds == [("sync_runs",), ("sync_state",)]


def test_checkpoints_of_two_sources_commit_side_by_side_without_a_conflict(
    postgres: Postgres, lake_name: str, tmp_path: Path
) -> None:
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    settings = lake_settings(lake)
    with DuckLakeWarehouse.open_lake(settings, base_dir=lake.base_dir(), sources=[SOURCE]):
        pass
    writers = [connect_lake(settings, base_dir=lake.base_dir(), inline=True) for _ in range(2)]
    try:
        rows = [MetaRows(con) for con in writers]
        # Two transactions open at once, each writing its own source's checkpoint twice (a
        # new version each time): DuckLake refuses a commit only for deletes in one table.
        for con in writers:
            con.execute("begin transaction")
        for source, meta_rows in zip(("grandshooting", "sartiq"), rows, strict=True):
            key = {"source": source, "scope": "0", "resource": "pictures"}
            meta_rows.put(STATE, key, {"pass": '{"page": 1}'})
            meta_rows.put(STATE, key, {"pass": '{"page": 2}'})
        for con in writers:
            con.execute("commit")
        stored = (
            writers[0]
            .execute("select source, pass from meta.sync_state order by source")
            .fetchall()
        )
    finally:
        for con in writers:
            con.close()
    assert stored == [("grandshooting", '{"page": 2}'), ("sartiq", '{"page": 2}')]


def _stored_pictures(lake: Config) -> list[tuple[object, ...]]:
    con = connect_lake(lake_settings(lake), base_dir=lake.base_dir(), read_only=True)
    try:
        return con.execute(
            f"select picture_id, picturestatus from {RawTable(SOURCE, RESOURCE).name} order by 1"
        ).fetchall()
    finally:
        con.close()


def test_batches_sharing_a_commit_keep_one_row_per_key_and_survive_a_failing_write(
    postgres: Postgres, lake_name: str, tmp_path: Path
) -> None:
    lake = config(tmp_path / "lake", lake_section(postgres, lake_name))
    table = RawTable(SOURCE, RESOURCE)
    scopes = [("grandshooting", "0")]
    with DuckLakeWarehouse.open_lake(
        lake_settings(lake),
        base_dir=lake.base_dir(),
        scopes=scopes,
        sources=[SOURCE],
        commit_seconds=3600,
    ) as warehouse:
        warehouse.start_run("r1", "grandshooting", "0", "pictures", "full")
        # The table is new: the first batch is inserted without a delete; the second repeats
        # key 2 with a new status, so it deletes first, in the same open transaction.
        first = [_picture(1), _picture(2)]
        warehouse.land(
            table, first, StateUpdate("grandshooting", "0", "pictures", {"p": 0}, "r1", 1, 2)
        )
        again = {**_picture(2), "picturestatus": 7}
        warehouse.land(
            table,
            [again, _picture(3)],
            StateUpdate("grandshooting", "0", "pictures", {"p": 1}, "r1", 2, 4),
        )
        # A write that fails (its table does not exist) rolls the shared transaction back:
        # the writes before it are committed again, it fails alone, with its own error.
        missing = RawTable(SOURCE, dataclasses.replace(RESOURCE, name="no_such_resource"))
        with pytest.raises(duckdb.CatalogException, match="no_such_resource"):
            warehouse.land(
                missing,
                [_picture(9)],
                StateUpdate("grandshooting", "0", "pictures", {"p": 2}, "r1", 3, 5),
            )
        assert _stored_pictures(lake) == [(1, 1), (2, 7), (3, 1)]
        assert warehouse.read_state("grandshooting", "0", "pictures") == (None, {"p": 1})
        warehouse.land(
            table,
            [_picture(4)],
            StateUpdate("grandshooting", "0", "pictures", {"p": 3}, "r1", 4, 6),
        )
    assert _stored_pictures(lake) == [(1, 1), (2, 7), (3, 1), (4, 1)]
