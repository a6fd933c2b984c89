"""Benchmark: full-sync throughput with the rate limit off, and rate-limit use with it on.

The simulator runs in its own process (so it does not share the sync's interpreter lock), on
loopback. Prints records/s for a full sync of a large catalog, and the share of the 5 req/s
budget a rate-limited sync actually used. Run several times and take the median:

    .venv/bin/python benchmarks/bench_sync.py --references 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.engine.auth import BearerToken
from etl.engine.sync import Extract, SourceRuntime, sync
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse

TOKEN = "bench-token"


def start_simulator(
    references: int, rate_limit: float, latency: float = 0.0
) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "BENCH_TOKEN": TOKEN}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etl",
            "simulate",
            "grandshooting",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--references",
            str(references),
            "--rate-limit",
            str(rate_limit),
            "--latency",
            str(latency),
            "--token-env",
            "BENCH_TOKEN",
        ],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"(http://127\.0\.0\.1:\d+/v3)", line)
        if match:
            return process, match.group(1)
    raise RuntimeError("the simulator did not print its URL")


def one_sync(
    base_url: str, rate_limit: float, resources: tuple[str, ...] | None
) -> tuple[float, int, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.duckdb"
        runtime = SourceRuntime(
            source=SOURCE,
            extracts=[Extract("0", base_url, BearerToken(TOKEN))],
            rate_limit=rate_limit,
            resources=resources,
        )
        with DuckDBWarehouse.open(path) as warehouse:
            started = time.perf_counter()
            result = sync([runtime], warehouse)
            seconds = time.perf_counter() - started
    assert result.ok, [(r.resource, r.error) for r in result.results]
    return seconds, result.rows, result.requests, result.throttled


def budget_share(seconds: float, requests: int, rate: float) -> float:
    """Requests sent over what the rate allowed in that time (the floor is requests / rate)."""
    return requests / (seconds * rate)


def unlimited(references: int, repeat: int) -> None:
    process, url = start_simulator(references, 0)
    try:
        rates = []
        for i in range(repeat):
            seconds, rows, requests, _ = one_sync(url, 0, None)
            rates.append(rows / seconds)
            print(
                f"  unlimited run {i + 1}: {rows:,} rows, {requests:,} requests in "
                f"{seconds:.1f}s = {rows / seconds:,.0f} records/s "
                f"({1e6 * seconds / rows:.1f} us per record)"
            )
        best = statistics.median(rates)
        print(
            f"full sync, rate limit off: median {best:,.0f} records/s "
            f"({1e6 / best:.1f} us per record)"
        )
    finally:
        process.terminate()
        process.wait()


def limited(references: int, repeat: int, latency: float) -> None:
    """Every resource against the simulator's strict 5-per-second window, with latency on."""
    process, url = start_simulator(references, 5.0, latency)
    try:
        shares = []
        for i in range(repeat):
            seconds, rows, requests, throttled = one_sync(url, 5.0, None)
            share = budget_share(seconds, requests, 5.0)
            shares.append(share)
            print(
                f"  limited run {i + 1}: {requests} requests ({rows:,} rows) in {seconds:.1f}s "
                f"(floor {requests / 5.0:.1f}s), {throttled} answered 429, {share:.1%} of "
                f"5 req/s used (load average {os.getloadavg()[0]:.1f} after)"
            )
        print(
            f"rate limit 5 req/s, latency {latency:.2f}s, {references:,} references: median "
            f"{statistics.median(shares):.1%} of the budget used"
        )
    finally:
        process.terminate()
        process.wait()


def incremental(references: int, changed: float) -> None:
    """Requests of an incremental sync after `changed` of the pictures moved, vs a full one."""
    catalog = generate_catalog(CatalogSpec(references=references, seed=42))
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with sim.serve(host="127.0.0.1", port=0) as server, tempfile.TemporaryDirectory() as folder:
        runtime = SourceRuntime(
            source=SOURCE,
            extracts=[Extract("0", server.base_url, BearerToken(TOKEN))],
            rate_limit=0,
        )
        with DuckDBWarehouse.open(Path(folder) / "w.duckdb") as warehouse:
            full = sync([runtime], warehouse)
            catalog.advance(days=3)
            pictures = catalog.records("pictures")
            moved = [p["picture_id"] for p in pictures[:: max(1, round(1 / changed))]]
            catalog.update_pictures(moved, picturestatus=50)
            second = sync([runtime], warehouse)
    assert full.ok and second.ok
    share = second.requests / full.requests
    print(
        f"incremental after {len(moved):,} of {len(pictures):,} pictures moved: "
        f"{second.requests} requests vs {full.requests} for a full sync ({share:.1%}); "
        f"goal <= {0.02 * full.requests + 10:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=20000)
    parser.add_argument("--limited-references", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only", choices=("unlimited", "limited", "incremental"), help="run one part only"
    )
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {load:.1f} at the start"
    )
    if args.only in (None, "incremental"):
        incremental(args.limited_references, 0.01)
    if args.only in (None, "limited"):
        limited(args.limited_references, args.repeat, args.latency)
    if args.only in (None, "unlimited"):
        unlimited(args.references, args.repeat)


if __name__ == "__main__":
    main()
