"""Full syncs whose batches share transactions (the file warehouse's commit groups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.engine.sync import sync
from etl.simulators.grandshooting import Catalog, CatalogSpec, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from etl.warehouse.batch_commits import BatchCommits
from tests.sync.helpers import assert_exact, runtime, with_ceiling


@pytest.fixture
def catalog() -> Catalog:
    return generate_catalog(CatalogSpec(references=200, seed=13))


def grouped_sync(path: Path, base_url: str) -> Any:
    """A sync through `DuckDBWarehouse.open`, as `shotlist sync` runs it, in small groups."""
    # Pages of 100 pictures by key range, batches of 100 rows, groups of 700.
    rt = runtime(base_url, source=with_ceiling(SOURCE, 300), batch_rows=100)
    with wh.DuckDBWarehouse.open(path, commit_rows=700, commit_seconds=3600) as warehouse:
        return sync([rt], warehouse)


def test_a_grouped_full_sync_lands_every_record_exactly(
    tmp_path: Path, simulator: Any, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[bool] = []
    land = BatchCommits.land

    def counted(
        self: BatchCommits, work: Any, rows: int, progress: Any = None, *, together: bool = True
    ) -> bool:
        outcomes.append(land(self, work, rows, progress, together=together))
        return outcomes[-1]

    monkeypatch.setattr(BatchCommits, "land", counted)
    result = grouped_sync(tmp_path / "w.duckdb", simulator.base_url)
    assert result.ok, [(r.resource, r.error) for r in result.results]
    # Batches did share transactions: most landed without a commit of their own.
    assert outcomes.count(False) > outcomes.count(True) > 0
    con = wh.connect(tmp_path / "w.duckdb", read_only=True)
    try:
        assert_exact(con, catalog)
    finally:
        con.close()


def test_a_batch_failing_inside_a_group_loses_nothing_the_next_sync_cannot_resume(
    tmp_path: Path, simulator: Any, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"pictures": 0}
    upsert = wh.upsert_batch

    def failing(con: duckdb.DuckDBPyConnection, table: Any, frame: Any, **kwargs: Any) -> None:
        if table.resource.name == "pictures":
            calls["pictures"] += 1
            if calls["pictures"] == 9:
                raise duckdb.IOException("No space left on device")
        upsert(con, table, frame, **kwargs)

    monkeypatch.setattr(wh, "upsert_batch", failing)
    path = tmp_path / "w.duckdb"
    # The sync stops on the warehouse's error; its open group (earlier batches too) is gone.
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        grouped_sync(path, simulator.base_url)
    monkeypatch.setattr(wh, "upsert_batch", upsert)
    again = grouped_sync(path, simulator.base_url)
    assert again.ok, [(r.resource, r.error) for r in again.results]
    con = wh.connect(path, read_only=True)
    try:
        assert_exact(con, catalog)
    finally:
        con.close()
