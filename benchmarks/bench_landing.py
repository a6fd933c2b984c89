"""Benchmark: CPU of landing alone, picture batches of 5,000 rows into a fresh warehouse file.

No HTTP and no validation in the measured part: the rows are built first, from the simulator's
catalog, then landed batch by batch through the warehouse (`DuckDBWarehouse.land`: the upsert,
the progress rows, the commits and DuckDB's checkpoints). Prints the CPU seconds per landed row
of this process (every thread). Compare two trees by running each one's copy, alternately:

    .venv/bin/python benchmarks/bench_landing.py --references 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from etl.engine.rows import RowBuilder
from etl.simulators.grandshooting import CatalogSpec, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse, RawTable, StateUpdate
from etl.warehouse.tables import Columns

BATCH_ROWS = 5_000
SYNCED_AT = datetime(2026, 12, 1)


def picture_batches(references: int) -> list[Columns]:
    catalog = generate_catalog(CatalogSpec(references=references, seed=42))
    records = catalog.records("pictures")
    resource = SOURCE.resource("pictures")
    builder = RowBuilder(resource.model, resource.primary_key, SOURCE.scope_column, 0, "bench")
    return [
        builder.build_columns(records[i : i + BATCH_ROWS], SYNCED_AT)[0]
        for i in range(0, len(records), BATCH_ROWS)
    ]


def land_all(batches: list[Columns]) -> tuple[int, float]:
    """Rows landed and the CPU seconds it took."""
    table = RawTable(SOURCE, SOURCE.resource("pictures"))
    with (
        tempfile.TemporaryDirectory() as folder,
        DuckDBWarehouse.open(Path(folder) / "w.duckdb") as warehouse,
    ):
        warehouse.ensure_tables(SOURCE)
        warehouse.start_run("bench", SOURCE.name, "0", "pictures", "full")
        rows = 0
        started = time.process_time()
        for batch in batches:
            rows += len(batch["_raw"])
            state = StateUpdate(SOURCE.name, "0", "pictures", {"at": rows}, "bench", 1, rows)
            warehouse.land(table, batch, state)
        return rows, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    batches = picture_batches(args.references)
    runs = []
    for i in range(args.repeat):
        rows, cpu = land_all(batches)
        runs.append(1e6 * cpu / rows)
        print(
            f"  run {i + 1}: {rows:,} rows landed, CPU {cpu:.2f}s = {runs[-1]:.1f} us per row "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
    print(
        f"landing, {args.references:,} references: "
        f"median {statistics.median(runs):.1f} us CPU per row"
    )


if __name__ == "__main__":
    main()
