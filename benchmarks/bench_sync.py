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
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse

TOKEN = "bench-token"


def start_simulator(references: int, rate_limit: float) -> tuple[subprocess.Popen[str], str]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=20000)
    parser.add_argument("--limited-references", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    process, url = start_simulator(args.references, 0)
    try:
        rates = []
        for i in range(args.repeat):
            seconds, rows, requests, _ = one_sync(url, 0, None)
            rates.append(rows / seconds)
            print(
                f"  unlimited run {i + 1}: {rows:,} rows, {requests:,} requests in "
                f"{seconds:.1f}s = {rows / seconds:,.0f} records/s"
            )
        print(f"full sync, rate limit off: median {statistics.median(rates):,.0f} records/s")
    finally:
        process.terminate()
        process.wait()

    process, url = start_simulator(args.limited_references, 5.0)
    try:
        shares = []
        for i in range(args.repeat):
            seconds, rows, requests, throttled = one_sync(url, 5.0, ("references", "pictures"))
            share = requests / (seconds * 5.0)
            shares.append(share)
            print(
                f"  limited run {i + 1}: {requests} requests in {seconds:.1f}s, "
                f"{throttled} answered 429, {share:.0%} of 5 req/s used"
            )
        print(f"rate limit 5 req/s: median {statistics.median(shares):.0%} of the budget used")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
