"""Many writers on one lake: per-scope locks, concurrent syncs, kill -9, readers on snapshots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.config import Config
from etl.errors import WarehouseLockedError
from etl.lake.attach import attach_lake, connect_lake
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError
from etl.lake.locks import lake_locks, sync_lock
from etl.lake.warehouse import DuckLakeWarehouse
from etl.sync import sync_sources
from etl.warehouse_kind import lake_settings
from etl.workspace import locked
from tests.lake.compare import compare, unequal
from tests.lake.services import Postgres, S3Server
from tests.lake.simulated import Simulators, config, lake_section, simulators, write_pointed


def _shotlist(config_file: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "--config", str(config_file), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _file_twin(folder: Path, sims: Simulators, sources: list[str]) -> Config:
    """A file warehouse synced from the same simulators, what the lake must equal."""
    file = config(folder / "file")
    result = sync_sources(sims.point(file), sources)
    assert result.ok
    return file


def _raw_equal(
    file: Config, lake: Config, sources: list[str]
) -> dict[str, tuple[int, int, int, int]]:
    """The comparison of the synced sources' raw tables (a lake has every source's, empty)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{file.resolve(Path('data/warehouse.duckdb'))}' as filewh (read_only)")
        attach_lake(con, lake_settings(lake), base_dir=lake.base_dir(), read_only=True)
        result = compare(con, "filewh", "lake", "raw")
    finally:
        con.close()
    return {t: v for t, v in result.items() if t.split("__")[0] in sources}


def _running_rows(settings: LakeWarehouse, base: Path) -> int:
    """Rows of pictures landed while a run is still marked running (0: none yet)."""
    reader = connect_lake(settings, base_dir=base, read_only=True)
    try:
        row = reader.execute(
            "select count(*) from meta.sync_runs where status = 'running'"
        ).fetchone()
        if not row or not row[0]:
            return 0
        row = reader.execute("select count(*) from raw.grandshooting__pictures").fetchone()
        return int(row[0]) if row else 0
    finally:
        reader.close()


@pytest.fixture
def lake(postgres: Postgres, s3: S3Server, lake_name: str, tmp_path: Path) -> Config:
    return config(tmp_path / "lake", lake_section(postgres, lake_name, s3))


@pytest.fixture
def sims() -> Iterator[Simulators]:
    with simulators() as running:
        yield running


def test_second_sync_of_the_same_account_exits_naming_the_holder(
    lake: Config, sims: Simulators
) -> None:
    pointed = sims.point(lake)
    settings = lake_settings(lake)
    with lake_locks(settings, [sync_lock("grandshooting", "0")], "sync", base_dir=lake.base_dir()):
        with pytest.raises(WarehouseLockedError) as caught:
            sync_sources(pointed, ["grandshooting"])
        # Another account (here another source) is not held up by it.
        other = sync_sources(pointed, ["sartiq"])
    message = str(caught.value)
    assert f"`shotlist sync pid {os.getpid()} on " in message
    assert "holds the lock 'sync grandshooting/0'" in message
    assert "\n" not in message
    assert other.ok and other.rows > 0
    # Released with the session: the same sync now runs.
    assert sync_sources(pointed, ["grandshooting"]).ok


def test_builds_take_one_lake_wide_lock(lake: Config) -> None:
    with locked(lake, "build"):
        with (
            pytest.raises(WarehouseLockedError, match="holds the lock 'build'"),
            locked(lake, "run"),
        ):
            pass
        # A sync takes no lake-wide lock: its scopes are locked when it opens the lake.
        with locked(lake, "sync"):
            pass


def test_interrupted_runs_are_marked_only_in_the_scopes_held(lake: Config) -> None:
    settings = lake_settings(lake)
    # Two runs left 'running' (their rows are written when the warehouse closes).
    with DuckLakeWarehouse.open_lake(settings, base_dir=lake.base_dir()) as warehouse:
        warehouse.start_run("r1", "grandshooting", "0", "pictures", "full")
        warehouse.start_run("r2", "sartiq", "personal", "products", "full")
    scopes = [("grandshooting", "0")]
    with DuckLakeWarehouse.open_lake(settings, base_dir=lake.base_dir(), scopes=scopes) as held:
        assert held.mark_interrupted_runs() == 1
        rows = held.con.execute(
            "select run_id, status from meta.sync_runs order by run_id"
        ).fetchall()
    assert rows == [("r1", "interrupted"), ("r2", "running")]


def test_two_sources_synced_from_two_processes_both_land_exactly(
    lake: Config, sims: Simulators, tmp_path: Path
) -> None:
    config_file = write_pointed(lake, sims)
    children = [_shotlist(config_file, "sync", name) for name in ("grandshooting", "sartiq")]
    outputs = [child.communicate(timeout=600)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    file = _file_twin(tmp_path, sims, ["grandshooting", "sartiq"])
    result = _raw_equal(file, lake, ["grandshooting", "sartiq"])
    assert len(result) >= 20 and unequal(result) == {}
    assert sum(v[0] for v in result.values()) > 500


def test_kill_9_mid_sync_then_rerun_loses_and_duplicates_nothing(
    postgres: Postgres, s3: S3Server, lake_name: str, tmp_path: Path
) -> None:
    # Batches share a commit for a tenth of a second (`etl.lake.group`): the sync is killed
    # with shared commits behind it, and most likely one open.
    section = lake_section(postgres, lake_name, s3, commit_seconds=0.1)
    lake = config(tmp_path / "lake", section)
    with simulators(references=120) as sims:
        config_file = write_pointed(lake, sims)
        child = _shotlist(config_file, "sync", "grandshooting")
        settings = lake_settings(lake)
        deadline = time.monotonic() + 300
        landed = 0
        # Wait until some batches are committed, then kill the sync mid-way.
        while child.poll() is None and time.monotonic() < deadline and landed == 0:
            try:
                landed = _running_rows(settings, lake.base_dir())
            except (LakeError, duckdb.CatalogException):
                landed = 0  # the sync has not created the lake or its tables yet
        assert child.poll() is None, "the sync ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL
        again = sync_sources(sims.point(lake), ["grandshooting"])
        assert again.ok
        file = _file_twin(tmp_path, sims, ["grandshooting"])
    result = _raw_equal(file, lake, ["grandshooting"])
    assert result and unequal(result) == {}
    reader = connect_lake(settings, base_dir=lake.base_dir(), read_only=True)
    try:
        statuses = reader.execute(
            "select distinct status from meta.sync_runs order by 1"
        ).fetchall()
    finally:
        reader.close()
    # The killed run's unfinished resources are marked interrupted by the re-run (under load
    # the child may have finished every resource just before the kill: then all are ok).
    assert set(statuses) <= {("ok",), ("interrupted",)}


def test_a_reader_on_a_snapshot_sees_no_change_and_never_blocks_a_commit(lake: Config) -> None:
    settings = lake_settings(lake)
    with DuckLakeWarehouse.open_lake(settings, base_dir=lake.base_dir()) as warehouse:
        warehouse.record_drift("r0", "grandshooting", "pictures", {"before": 1})
        reader = connect_lake(settings, base_dir=lake.base_dir(), read_only=True)
        try:
            reader.execute("begin transaction")
            before = reader.execute("select field from meta.schema_drift").fetchall()
            # The writer commits while the reader's snapshot is open: it is not blocked.
            warehouse.record_drift("r1", "grandshooting", "pictures", {"after": 2})
            committed = warehouse.con.execute("select count(*) from meta.schema_drift").fetchone()
            during = reader.execute("select field from meta.schema_drift").fetchall()
            reader.execute("commit")
            after = reader.execute("select field from meta.schema_drift order by 1").fetchall()
        finally:
            reader.close()
    assert committed == (2,)
    assert before == during == [("before",)]
    assert after == [("after",), ("before",)]
