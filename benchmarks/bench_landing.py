"""Benchmark: CPU of landing alone, picture batches of 5,000 rows into a fresh warehouse file.

No HTTP and no validation in the measured part: the rows are built first, from the simulator's
catalog, then landed batch by batch through the warehouse (`DuckDBWarehouse.land`: the upsert,
the progress rows, the commits and DuckDB's checkpoints). Prints the CPU seconds per landed row
of this process (every thread). Compare two trees by running each one's copy, alternately:

    .venv/bin/python benchmarks/bench_landing.py --references 10000 --repeat 3

`--floor` prints DuckDB's own floor for a full sync's rows instead: every resource's rows, built
first as typed frames, inserted with plain SQL (`insert into ... select * from frame`, batches of
`--batch` rows committed together every `--commit-rows` rows, as the file warehouse's commit
groups do; `--commit-rows 0` commits each batch, as the sync did until 2026-12-06's seventh
session) into fresh tables made as the sync makes them (its row group
size, `_raw` with FSST), with the sync connection's thread, memory and checkpoint settings (until
2026-12-06 the tables had DuckDB's defaults: 42 us a row against 24); no project landing code
(no upsert, no progress rows). No sync can land its rows for less CPU than this on the same
machine:

    .venv/bin/python benchmarks/bench_landing.py --floor --references 20000 --repeat 3

The figures before commit groups came from `--batch 2500 --commit-rows 0`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import arro3.core as a3
import duckdb

from etl.engine.rows import RowBuilder
from etl.simulators.grandshooting import Catalog, CatalogSpec, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.batches import columns_table
from etl.warehouse.duckdb_file import (
    COMMIT_ROWS,
    RAW_TEXT_COMPRESSION,
    SYNC_CHECKPOINT_BYTES,
    SYNC_MEMORY_LIMIT,
    SYNC_ROW_GROUP_SIZE,
    DuckDBWarehouse,
    RawTable,
    StateUpdate,
    connect,
    ensure_raw_table,
)
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


def sync_frames(catalog: Catalog, batch: int) -> list[tuple[RawTable, list[a3.Table]]]:
    """Every resource's rows of a full sync of the catalog, as typed frames of `batch` rows."""
    frames = []
    for resource in SOURCE.resources:
        table = RawTable(SOURCE, resource)
        records = catalog.records(resource.name)
        builder = RowBuilder(resource.model, resource.primary_key, SOURCE.scope_column, 0, "b")
        parts = [
            columns_table(table, builder.build_columns(records[i : i + batch], SYNCED_AT)[0])
            for i in range(0, len(records), batch)
        ]
        frames.append((table, parts))
    return frames


def sync_tables(
    folder: Path, tables: list[RawTable], checkpoint_threshold: str
) -> duckdb.DuckDBPyConnection:
    """A new warehouse file in `folder` with the sync's connection settings (one thread, its
    memory limit) and its tables (its row group size, `_raw` stored with FSST)."""
    con = connect(folder / "floor.duckdb", row_group_size=SYNC_ROW_GROUP_SIZE)
    con.execute("set threads = 1")
    con.execute(f"set memory_limit = '{SYNC_MEMORY_LIMIT}'")
    con.execute(f"set checkpoint_threshold = '{checkpoint_threshold}'")
    for table in tables:
        ensure_raw_table(con, table, set(), raw_compression=RAW_TEXT_COMPRESSION)
    return con


def commit_in_groups(
    con: duckdb.DuckDBPyConnection,
    inserts: Iterable[tuple[str, a3.Table, int]],
    commit_rows: int,
) -> None:
    """Run each insert (its SQL reads the frame registered as `_frame`) in transactions
    committed once they hold `commit_rows` rows (each insert's third item), as the file
    warehouse's commit groups do; `commit_rows` 0 commits each insert."""
    pending = 0
    open_ = False
    for sql, frame, rows in inserts:
        if not open_:
            con.execute("begin")
            open_ = True
        con.register("_frame", frame)
        con.execute(sql)
        con.unregister("_frame")
        pending += rows
        if pending >= commit_rows:
            con.execute("commit")
            pending = 0
            open_ = False
    if open_:
        con.execute("commit")


def floor_run(
    frames: list[tuple[RawTable, list[a3.Table]]], checkpoint_threshold: str, commit_rows: int
) -> tuple[int, float, float]:
    """Rows inserted, the CPU seconds of the inserts and commits, and of the closing checkpoint."""
    inserts = [
        (f"insert into {table.name} select * from _frame", frame, frame.num_rows)
        for table, parts in frames
        for frame in parts
    ]
    with tempfile.TemporaryDirectory() as folder:
        con = sync_tables(Path(folder), [table for table, _ in frames], checkpoint_threshold)
        started = time.process_time()
        commit_in_groups(con, inserts, commit_rows)
        inserted = time.process_time()
        con.execute("checkpoint")
        closed = time.process_time()
        con.close()
    return sum(rows for _, _, rows in inserts), inserted - started, closed - inserted


def floor(
    references: int, repeat: int, batch: int, checkpoint_threshold: str, commit_rows: int
) -> None:
    frames = sync_frames(generate_catalog(CatalogSpec(references=references, seed=42)), batch)
    runs = []
    for i in range(repeat):
        rows, cpu, closing = floor_run(frames, checkpoint_threshold, commit_rows)
        # The closing checkpoint counts: it compresses what the inserts left in the WAL.
        runs.append(1e6 * (cpu + closing) / rows)
        print(
            f"  floor run {i + 1}: {rows:,} rows in {batch:,}-row inserts, committed every "
            f"{max(commit_rows, batch):,} rows, CPU {cpu:.2f}s "
            f"+ closing checkpoint {closing:.2f}s = {runs[-1]:.1f} us per row "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
    print(
        f"DuckDB floor, {references:,} references, checkpoint threshold {checkpoint_threshold}: "
        f"median {statistics.median(runs):.1f} us CPU per row, closing checkpoint included"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="DuckDB's floor, plain SQL")
    parser.add_argument("--batch", type=int, default=1_000, help="rows per --floor insert")
    parser.add_argument(
        "--commit-rows",
        type=int,
        default=COMMIT_ROWS,
        help="rows per --floor transaction (0: one per insert)",
    )
    parser.add_argument("--checkpoint-threshold", default=f"{SYNC_CHECKPOINT_BYTES}B")
    args = parser.parse_args()
    if args.floor:
        floor(args.references, args.repeat, args.batch, args.checkpoint_threshold, args.commit_rows)
        return
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
