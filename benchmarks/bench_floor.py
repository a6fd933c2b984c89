"""Benchmark: the least CPU per record a full sync of this design can spend, part by part.

Each part of a full sync's work is timed alone, on one thread, over the same catalog's records
(every resource, in the API's pages of 100), and divided by the rows a full sync lands:

- HTTP: exchanging one page of 100 pictures with the simulator (in its own process, on
  loopback) through the lean transport, as the client sends a page (`httpx.Request`, the
  answer read whole), times the fewest requests the records fit in (one per 100 records of
  each paged resource, one per single-page resource; look references, read per look, counted
  as if they came 100 at a time);
- parse: each page's JSON, as the simulator sends it, to Python objects (`from_json`, as the
  client does);
- rows: `RowBuilder.build_columns` on each page (validation by column, `_raw`, JSON columns);
- frames: `columns_table`, the Arrow batches the writer hands DuckDB;
- DuckDB: `bench_landing.py --floor` (plain inserts of those frames into the sync's tables,
  commit groups, the closing checkpoint).

Their sum is what a sync would cost if nothing else ran: no event loop, no hand-off between
threads, no progress rows, no key-range walk, no look read alone. The sync's own figure
(`bench_sync.py --only unlimited`) is to be read against it. The bench also times the leanest
design we found with these libraries, on the pictures: DuckDB makes the rows from each page's
JSON text itself, with no Python per record and none of the sync's checks (quarantine, drift,
lenient dates), plus the same HTTP per page:

    .venv/bin/python benchmarks/bench_floor.py --references 20000 --repeat 3

`--in-sync` times the same parts inside full syncs instead (each in a fresh process, as
`bench_sync.py --only unlimited` runs them): the page parse, `build_columns`, the Arrow frames
and the rest of `DuckDBWarehouse.land` are wrapped with their thread's CPU clock, and what is
left of the process's CPU is the HTTP, the event loop, the sync's bookkeeping and the closing
checkpoint. Parts that cost about what they cost alone are at their floor inside the sync:

    .venv/bin/python benchmarks/bench_floor.py --in-sync --references 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import arro3.core as a3
import httpx
from bench_landing import commit_in_groups, floor_run, sync_frames, sync_tables
from bench_sync import child_sync, start_simulator
from pydantic_core import from_json, to_json

from etl.engine import client
from etl.engine.collection import SYNC_THRESHOLD
from etl.engine.paginators import SinglePage
from etl.engine.rows import RowBuilder
from etl.engine.transport import LeanTransport
from etl.simulators.grandshooting import CatalogSpec, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file
from etl.warehouse.batches import columns_table
from etl.warehouse.duckdb_file import COMMIT_ROWS, SYNC_CHECKPOINT_BYTES, RawTable, sql_text
from etl.warehouse.tables import Columns, quote

PAGE = 100
# Rows per Arrow frame and per DuckDB insert, as `bench_landing.py --floor` lands them.
FRAME_ROWS = 1_000
SYNCED_AT = datetime(2026, 12, 1)
TOKEN = "bench-token"
_TEXT = a3.DataType.string()


def cpu_of(work: Callable[[], Any]) -> float:
    """CPU seconds of this process spent in `work()`."""
    started = time.process_time()
    work()
    return time.process_time() - started


def fewest_requests(catalog: Any) -> int:
    """Requests a full sync needs at the least: one per page of 100 records, or one in all."""
    total = 0
    for resource in SOURCE.resources:
        count = len(catalog.records(resource.name))
        single = isinstance(resource.paginator, SinglePage)
        total += 1 if single else max(1, math.ceil(count / PAGE))
    return total


async def exchange_pages(base_url: str, requests: int) -> None:
    """`requests` pages of 100 pictures, each request built and its answer read whole as the
    client does for a page (`etl.engine.client.ApiClient._get`)."""
    transport = LeanTransport()
    headers = {
        "Accept": "application/json",
        "User-Agent": "shotlist-analytics",
        "Authorization": f"Bearer {TOKEN}",
    }
    try:
        for i in range(requests):
            # Offsets stay under the API's paging ceiling (10,000): every page is full.
            page_headers = {**headers, "offset": str(PAGE * (i % 100))}
            request = httpx.Request("GET", f"{base_url}/picture", headers=page_headers)
            response = await transport.handle_async_request(request)
            await response.aread()
            if response.status_code != 200:
                raise RuntimeError(f"the simulator answered HTTP {response.status_code}")
    finally:
        await transport.aclose()


def http_cpu(base_url: str, requests: int) -> float:
    """CPU seconds of this process exchanging `requests` pages with the simulator."""
    asyncio.run(exchange_pages(base_url, 20))  # connection and code paths warmed up
    return cpu_of(lambda: asyncio.run(exchange_pages(base_url, requests)))


def page_bodies(catalog: Any) -> list[tuple[RowBuilder, RawTable, list[bytes]]]:
    """Each resource's records as the API's pages of 100, in the simulator's encoding."""
    bodies = []
    for resource in SOURCE.resources:
        records = catalog.records(resource.name)
        builder = RowBuilder(resource.model, resource.primary_key, SOURCE.scope_column, 0, "b")
        pages = [to_json(records[i : i + PAGE]) for i in range(0, len(records), PAGE)]
        bodies.append((builder, RawTable(SOURCE, resource), pages))
    return bodies


def python_parts(
    bodies: list[tuple[RowBuilder, RawTable, list[bytes]]],
) -> dict[str, tuple[float, float, float]]:
    """CPU seconds of parsing every page, of building its rows, of the Arrow frames, by
    resource.

    Page by page, as the sync goes: a parsed page is dropped once its rows are built, so the
    collector never scans more than one page of records."""
    parts = {}
    clock = time.process_time
    for builder, table, pages in bodies:
        parse = rows = 0.0
        built: list[Columns] = []
        for body in pages:
            started = clock()
            records = from_json(body, cache_strings="keys")
            parsed = clock()
            built.append(builder.build_columns(records, SYNCED_AT)[0])
            rows += clock() - parsed
            parse += parsed - started
        step = FRAME_ROWS // PAGE
        batches = [_joined(built[i : i + step]) for i in range(0, len(built), step)]
        started = clock()
        for batch in batches:
            columns_table(table, batch)
        parts[table.resource.name] = (parse, rows, clock() - started)
    return parts


def duckdb_reads_json(pages: list[bytes]) -> tuple[int, float]:
    """Rows and CPU seconds of the other design: DuckDB takes the pages' JSON text as it came
    and makes the typed columns and `_raw` itself (`json_transform`, no Python per record),
    batches of 10 pages committed every 65,536 rows, closing checkpoint included. Its only
    checks are DuckDB's casts: no quarantine, no drift, no lenient dates."""
    table = RawTable(SOURCE, SOURCE.resource("pictures"))
    fields = {n: t for n, t in table.columns if not n.startswith("_") and n != table.scope_column}
    structure = sql_text(to_json(fields).decode())
    values = {
        table.scope_column: "0",
        "_raw": "record",
        "_synced_at": "timestamp '2026-12-01'",
        "_run_id": "'b'",
        "_deleted_at": "null",
    }
    names = [n for n, _ in table.columns]
    select = ", ".join(values.get(n, f"typed.{quote(n)}") for n in names)
    insert = (
        f"insert into {table.name} select {select} from ("
        f"select record, json_transform(record, {structure}) as typed from ("
        "select unnest(json_extract(body, '$[*]')) as record from _frame))"
    )
    with tempfile.TemporaryDirectory() as folder:
        con = sync_tables(Path(folder), [table], f"{SYNC_CHECKPOINT_BYTES}B")
        texts = [body.decode() for body in pages]
        step = FRAME_ROWS // PAGE
        # About FRAME_ROWS rows each (the last chunk has fewer): the count only paces commits.
        chunks = (a3.Array(texts[i : i + step], _TEXT) for i in range(0, len(texts), step))
        inserts = ((insert, a3.Table.from_pydict({"body": c}), FRAME_ROWS) for c in chunks)
        started = time.process_time()
        commit_in_groups(con, inserts, COMMIT_ROWS)
        con.execute("checkpoint")
        cpu = time.process_time() - started
        landed = con.execute(f"select count(*) from {table.name}").fetchone()
        con.close()
    assert landed is not None
    return int(landed[0]), cpu


def _joined(pages: list[Columns]) -> Columns:
    """Pages' columns as one batch, as the sync's buffer joins them."""
    return {name: [v for page in pages for v in page[name]] for name in pages[0]}


class PartClocks:
    """CPU seconds of the sync's own functions, each on the thread that runs it, by part."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, part: str) -> None:
        """Replace `owner.name` with the same function, timed into `part`."""
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[part] = self.seconds.get(part, 0.0) + time.thread_time() - started

        setattr(owner, name, timed)


def child_in_sync(base_url: str) -> None:
    """One full sync (`bench_sync.child_sync`) with its parts timed; prints both as JSON."""
    clocks = PartClocks()
    # The names the sync calls them by: the client's parse, the builder, the writer's frames.
    clocks.wrap(client, "from_json", "parse")
    clocks.wrap(RowBuilder, "build_columns", "rows")
    clocks.wrap(duckdb_file, "batch_frame", "frames")
    # The whole landing (inserts, progress rows, commits, checkpoints), frames included.
    clocks.wrap(duckdb_file.DuckDBWarehouse, "land", "landing")
    child_sync(base_url)
    print(json.dumps(clocks.seconds))


def in_sync(references: int, repeat: int) -> None:
    """The parts' CPU per record inside full syncs, and what the rest of the sync takes."""
    process, url = start_simulator(references, rate_limit=0)
    try:
        runs = []
        for i in range(repeat):
            lines = (
                subprocess.run(
                    [sys.executable, __file__, "--child-in-sync", url],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()
            )
            figures, seconds = json.loads(lines[-2]), json.loads(lines[-1])
            rows = figures["rows"]
            parts = {
                "parse": seconds["parse"],
                "rows": seconds["rows"],
                "frames": seconds["frames"],
                "DuckDB": seconds["landing"] - seconds["frames"],
            }
            threads = figures["threads"]
            # The rest, by thread: the event loop's HTTP, scheduling and bookkeeping; the
            # writer's other calls (run rows, reads, the thread pool); the closing checkpoint.
            rest = {
                "loop rest": threads.get("MainThread", 0.0) - seconds["parse"] - seconds["rows"],
                "writer rest": threads.get("warehouse-writer", 0.0) - seconds["landing"],
                "closing": threads.get("warehouse-close", 0.0),
            }
            us = {name: 1e6 * value / rows for name, value in {**parts, **rest}.items()}
            total = 1e6 * figures["cpu"] / rows
            us["other threads"] = total - sum(us.values())
            us["sync"] = total
            runs.append(us)
            print(
                f"  in-sync run {i + 1}: "
                + ", ".join(f"{name} {value:.1f}" for name, value in us.items())
                + f" us per record, {rows:,} rows (load average {os.getloadavg()[0]:.1f})"
            )
    finally:
        process.terminate()
        process.wait()
    print(
        "inside full syncs, medians: "
        + ", ".join(f"{name} {statistics.median(r[name] for r in runs):.1f}" for name in runs[0])
        + " us per record (loop rest: HTTP, the event loop, bookkeeping)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-sync", action="store_true", help="the parts inside full syncs")
    parser.add_argument("--child-in-sync", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_in_sync:
        child_in_sync(args.child_in_sync)
        return
    if args.in_sync:
        in_sync(args.references, args.repeat)
        return
    catalog = generate_catalog(CatalogSpec(references=args.references, seed=42))
    rows = sum(len(catalog.records(r.name)) for r in SOURCE.resources)
    requests = fewest_requests(catalog)
    bodies = page_bodies(catalog)
    picture_pages = next(pages for _, table, pages in bodies if table.resource.name == "pictures")
    frames = sync_frames(catalog, FRAME_ROWS)
    del catalog
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f} at the start; {rows:,} rows, "
        f"at least {requests:,} requests"
    )
    parts: dict[str, list[float]] = {}
    other: list[float] = []
    picture_parse: list[float] = []
    # The sync's collector setting: pages allocate many containers (`etl.engine.collection`).
    gc.set_threshold(SYNC_THRESHOLD)
    # One simulator for every run (its own catalog, the same seed): HTTP is timed in each.
    simulator, base_url = start_simulator(args.references, rate_limit=0)
    try:
        for i in range(args.repeat):
            per_request = http_cpu(base_url, requests) / requests
            by_resource = python_parts(bodies)
            parse, build, arrow = (sum(part[k] for part in by_resource.values()) for k in range(3))
            landed, inserts, closing = floor_run(frames, f"{SYNC_CHECKPOINT_BYTES}B", COMMIT_ROWS)
            assert landed == rows, (landed, rows)
            run = {
                "HTTP": per_request * requests,
                "parse": parse,
                "rows": build,
                "frames": arrow,
                "DuckDB": inserts + closing,
            }
            us = {name: 1e6 * seconds / rows for name, seconds in run.items()}
            us["sum"] = sum(us.values())
            for name, value in us.items():
                parts.setdefault(name, []).append(value)
            pictures, cpu = duckdb_reads_json(picture_pages)
            other.append(1e6 * (cpu + per_request * len(picture_pages)) / pictures)
            picture_parse.append(1e6 * by_resource["pictures"][0] / pictures)
            print(
                f"  run {i + 1}: "
                + ", ".join(f"{name} {value:.1f}" for name, value in us.items())
                + f" us per record (pictures' parse {picture_parse[-1]:.1f} us per picture); "
                f"DuckDB reading the JSON, HTTP included: {other[-1]:.1f} us per picture "
                f"(load average {os.getloadavg()[0]:.1f})"
            )
    finally:
        simulator.terminate()
        simulator.wait()
    print(
        "floor of a full sync, medians: "
        + ", ".join(f"{name} {statistics.median(v):.1f}" for name, v in parts.items())
        + f" us per record; pictures' parse {statistics.median(picture_parse):.1f} us per picture"
    )
    print(
        f"the other design, DuckDB reading the pages' JSON (pictures only, HTTP included): "
        f"median {statistics.median(other):.1f} us per picture"
    )


if __name__ == "__main__":
    main()
