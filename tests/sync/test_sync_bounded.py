"""Memory stays bounded: fetching never runs further ahead of the writer than a batch."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from etl.engine.sync import sync
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from etl.warehouse.duckdb_file import DuckDBWarehouse
from etl.warehouse.tables import batch_rows
from tests.sync.helpers import TOKEN, assert_exact, runtime, with_ceiling

BATCH_ROWS = 100
CONCURRENCY = 8
PAGE_SIZE = 100


class SlowWriter(DuckDBWarehouse):
    """The file warehouse, whose first picture batch waits until the API has served every
    picture page (or a few seconds): a writer far slower than fetching. Each landing notes how
    many rows the engine had received but not yet landed."""

    def __init__(self, con: Any, sim: GrandShootingSimulator, pages: int) -> None:
        super().__init__(con)
        self.sim, self.pages = sim, pages
        self.landed = 0
        self.backlogs: list[int] = []

    def _served(self) -> int:
        return sum(1 for r in self.sim.requests if r.path.endswith("/picture"))

    def land(self, table: Any, rows: Any, state: Any, *args: Any, **kwargs: Any) -> None:
        if state.resource == "pictures":
            count = batch_rows(rows) if isinstance(rows, dict) else len(rows)
            if not self.backlogs:
                deadline = time.monotonic() + 5.0
                while self._served() < self.pages and time.monotonic() < deadline:
                    threading.Event().wait(0.01)
            self.landed += count
            self.backlogs.append(state.rows - self.landed)
        super().land(table, rows, state, *args, **kwargs)


def test_sync_holds_at_most_a_batch_ahead_of_a_slow_writer(tmp_path: Path) -> None:
    catalog = generate_catalog(CatalogSpec(references=200, seed=11))
    pictures = len(catalog.records("pictures"))
    bound = BATCH_ROWS + CONCURRENCY * PAGE_SIZE
    assert pictures > 2 * bound  # else even an unbounded buffer would stay under the bound
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with sim.serve(host="127.0.0.1", port=0) as server:
        con = wh.connect(tmp_path / "w.duckdb")
        try:
            # Key ranges (ceiling 300): pictures are fetched by 8 concurrent requests.
            rt = runtime(
                server.base_url,
                source=with_ceiling(SOURCE, 300),
                batch_rows=BATCH_ROWS,
                concurrency=CONCURRENCY,
            )
            writer = SlowWriter(con, sim, pages=pictures // PAGE_SIZE)
            result = sync([rt], writer)
            assert result.ok, [(r.resource, r.error) for r in result.results]
            assert_exact(con, catalog)
        finally:
            con.close()
    assert max(writer.backlogs) <= bound, writer.backlogs
    assert writer.landed == pictures
