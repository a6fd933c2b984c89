"""Landed batches share a transaction until the group is full, old, or something else runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from etl.warehouse.batch_commits import BatchCommits, BatchCommitsBroken

PICTURES = wh.RawTable(SOURCE, SOURCE.resource("pictures"))


def rows(ids: range) -> list[dict[str, object]]:
    return [{"account_id": 0, "picture_id": i, "_raw": json.dumps({"picture_id": i})} for i in ids]


def progress(landed: int) -> wh.StateUpdate:
    return wh.StateUpdate("grandshooting", "0", "pictures", {"at": landed}, "r1", 1, landed)


def committed(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """Pictures and the pass checkpoint another connection sees (committed ones only)."""
    reader = con.cursor()
    try:
        count = reader.execute(f"select count(*) from {PICTURES.name}").fetchone()
        state = reader.execute(
            "select pass from meta.sync_state where resource = 'pictures'"
        ).fetchone()
    finally:
        reader.close()
    return (count[0] if count else 0), (state[0] if state else None)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[wh.DuckDBWarehouse]:
    con = wh.connect(tmp_path / "w.duckdb")
    store = wh.DuckDBWarehouse(con, commit_rows=250, commit_seconds=3600)
    store.ensure_tables(SOURCE)
    yield store
    con.close()


def test_batches_commit_together_once_the_group_holds_enough_rows(
    warehouse: wh.DuckDBWarehouse,
) -> None:
    warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
    warehouse.land(PICTURES, rows(range(101, 201)), progress(200), fresh=True)
    assert committed(warehouse.con) == (0, None)
    warehouse.land(PICTURES, rows(range(201, 301)), progress(300), fresh=True)
    count, state = committed(warehouse.con)
    assert count == 300
    assert state is not None and json.loads(state) == {"at": 300}


def test_any_other_operation_commits_the_open_group_first(warehouse: wh.DuckDBWarehouse) -> None:
    warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
    assert warehouse.has_rows(PICTURES, 0)
    count, state = committed(warehouse.con)
    assert count == 100
    assert state is not None and json.loads(state) == {"at": 100}


def test_a_group_commits_once_it_is_old_enough(tmp_path: Path) -> None:
    con = wh.connect(tmp_path / "w.duckdb")
    con.execute("create table t (i integer)")
    now = [0.0]
    group = BatchCommits(con, rows=1_000, seconds=5.0, clock=lambda: now[0])
    assert not group.land(lambda: con.execute("insert into t values (1)"), 1)
    now[0] = 4.9
    assert not group.land(lambda: con.execute("insert into t values (2)"), 1)
    now[0] = 5.0
    assert group.land(lambda: con.execute("insert into t values (3)"), 1)
    assert con.cursor().execute("select count(*) from t").fetchone() == (3,)


def test_a_failed_batch_rolls_the_group_back_and_stops_every_later_write(
    warehouse: wh.DuckDBWarehouse,
) -> None:
    references = wh.RawTable(SOURCE, SOURCE.resource("references"))
    warehouse.con.execute(f"drop table {references.name}")
    warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
    # Another resource's batch fails in the same group: its table is gone.
    with pytest.raises(duckdb.CatalogException):
        warehouse.land(references, [{"account_id": 0, "reference_id": 1}], progress(1), fresh=True)
    # Nothing of the group is stored, and nothing may record progress past it.
    assert committed(warehouse.con) == (0, None)
    with pytest.raises(BatchCommitsBroken, match="resumes from that commit"):
        warehouse.land(PICTURES, rows(range(201, 301)), progress(300), fresh=True)
    with pytest.raises(BatchCommitsBroken):
        warehouse.has_rows(PICTURES, 0)
    assert committed(warehouse.con) == (0, None)


def test_closing_commits_the_last_group_even_when_the_sync_fails(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with pytest.raises(RuntimeError, match="stopped"), wh.DuckDBWarehouse.open(path) as warehouse:
        warehouse.ensure_tables(SOURCE)
        warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
        raise RuntimeError("stopped")
    con = wh.connect(path, read_only=True)
    try:
        assert con.execute(f"select count(*) from {PICTURES.name}").fetchone() == (100,)
    finally:
        con.close()


def test_a_kill_loses_only_the_open_group(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = wh.connect(path)
    warehouse = wh.DuckDBWarehouse(con, commit_rows=250, commit_seconds=3600)
    warehouse.ensure_tables(SOURCE)
    for start in range(1, 301, 100):
        warehouse.land(PICTURES, rows(range(start, start + 100)), progress(start + 99), fresh=True)
    warehouse.land(PICTURES, rows(range(301, 401)), progress(400), fresh=True)
    # The process dies with the fourth batch uncommitted: closing without a commit drops it.
    con.close()
    reopened = wh.connect(path, read_only=True)
    try:
        count, state = committed(reopened)
    finally:
        reopened.close()
    # The first three batches and their progress: the resume point and the rows agree.
    assert count == 300
    assert state is not None and json.loads(state) == {"at": 300}


def test_a_batch_that_can_replace_rows_commits_the_group_and_itself(
    warehouse: wh.DuckDBWarehouse,
) -> None:
    warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
    assert committed(warehouse.con) == (0, None)
    # An upsert (a stored row may share its key): the open group is committed, then the
    # batch on its own, replacing picture 100 and adding 101-150.
    warehouse.land(PICTURES, rows(range(100, 151)), progress(150))
    count, state = committed(warehouse.con)
    assert count == 150
    assert state is not None and json.loads(state) == {"at": 150}
    warehouse.land(PICTURES, rows(range(151, 201)), progress(200), fresh=True)
    assert committed(warehouse.con)[0] == 150


def test_only_each_resources_newest_progress_is_written_at_the_commit(tmp_path: Path) -> None:
    con = wh.connect(tmp_path / "w.duckdb")
    con.execute("create table t (i integer)")
    con.execute("create table progress (resource varchar, landed integer)")
    group = BatchCommits(con, rows=4, seconds=3600)

    def batch(resource: str, at: int) -> bool:
        def write() -> None:
            con.execute("insert into progress values (?, ?)", [resource, at])

        def rows() -> None:
            con.execute("insert into t values (?)", [at])

        return group.land(rows, 1, (resource, write))

    assert not batch("pictures", 1)
    assert not batch("references", 1)
    assert not batch("pictures", 2)
    # The fourth row fills the group: one progress row per resource, its newest, then the commit.
    assert batch("pictures", 3)
    reader = con.cursor()
    assert reader.execute("select * from progress order by 1").fetchall() == [
        ("pictures", 3),
        ("references", 1),
    ]
    assert reader.execute("select count(*) from t").fetchone() == (4,)


def test_a_batch_failing_alone_takes_only_itself(tmp_path: Path) -> None:
    # Each batch commits as it lands (a warehouse not opened by `open`): a failure loses no
    # other batch, so later writes go on as before.
    con = wh.connect(tmp_path / "w.duckdb")
    warehouse = wh.DuckDBWarehouse(con)
    warehouse.ensure_tables(SOURCE)
    references = wh.RawTable(SOURCE, SOURCE.resource("references"))
    con.execute(f"drop table {references.name}")
    warehouse.land(PICTURES, rows(range(1, 101)), progress(100), fresh=True)
    with pytest.raises(duckdb.CatalogException):
        warehouse.land(references, [{"account_id": 0, "reference_id": 1}], progress(1), fresh=True)
    warehouse.land(PICTURES, rows(range(101, 201)), progress(200), fresh=True)
    count, state = committed(con)
    con.close()
    assert count == 200
    assert state is not None and json.loads(state) == {"at": 200}
