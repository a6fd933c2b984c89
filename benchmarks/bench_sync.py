"""Benchmark: full-sync throughput with the rate limit off, and rate-limit use with it on.

The simulator runs in its own process (so it does not share the sync's interpreter lock), on
loopback. Prints records/s for a full sync of a large catalog, and the share of the 5 req/s
budget a rate-limited sync actually used. Run several times and take the median:

    .venv/bin/python benchmarks/bench_sync.py --references 20000 --repeat 3

With the rate limit off each sync runs in a fresh process of its own, which reports its CPU
seconds (every thread: the event loop, the writer, DuckDB's) and its peak RSS: CPU per record
means something on a loaded machine, where wall time does not. `--only memory` prints the peak
RSS of one full sync at two catalog sizes, to show whether it grows with the catalog.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from etl.engine.auth import BearerToken
from etl.engine.sync import Extract, SourceRuntime, sync
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse

TOKEN = "bench-token"
# The simulator's rate-limit window.
WINDOW_SECONDS = 1.0


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
    return process, simulator_url(process)


def simulator_url(process: subprocess.Popen[str]) -> str:
    """The base URL a Grand Shooting simulator process prints once it listens."""
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"(http://127\.0\.0\.1:\d+/v3)", line)
        if match:
            return match.group(1)
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


def _rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or at its highest (VmHWM), Linux, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class ThreadClock:
    """CPU seconds of each thread of this process, by thread name, read from /proc (Linux).

    Counted from the block's start (the interpreter's start and imports are left out). A
    thread's time is read every `every` seconds while it runs, so a thread that ended is
    counted up to its last reading (at most `every` seconds of its CPU short). Names are
    Python's, without the pool's `_<n>` suffix; a thread Python did not start is "other".
    """

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.seconds: dict[int, tuple[str, float]] = {}
        self._start: dict[int, float] = {}
        # The highest private memory (RssAnon) seen at a reading, in MB: unlike the peak RSS,
        # it leaves out the libraries' file pages, whose count moves with the page cache.
        self.peak_anon_mb = 0.0
        self._ticks = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-clock", daemon=True)

    def __enter__(self) -> ThreadClock:
        self._read()
        self._start = {tid: cpu for tid, (_, cpu) in self.seconds.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._read()

    def _read(self) -> None:
        self.peak_anon_mb = max(self.peak_anon_mb, _rss_mb("RssAnon"))
        names = {t.native_id: re.sub(r"_\d+$", "", t.name) for t in threading.enumerate()}
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended since the listing
            # utime and stime, the 14th and 15th fields of stat (11th and 12th after the name).
            cpu = (int(fields[11]) + int(fields[12])) / self._ticks
            # A thread that is ending leaves Python's list before /proc: it keeps the name it
            # had (a writer read as "other" at the last reading once moved its whole CPU).
            known = self.seconds.get(int(tid), ("other", 0.0))[0]
            self.seconds[int(tid)] = (names.get(int(tid), known), cpu)

    def by_name(self) -> dict[str, float]:
        """CPU seconds per thread name, this clock's own thread left out."""
        totals: dict[str, float] = {}
        for tid, (name, cpu) in self.seconds.items():
            if name != "bench-clock":
                totals[name] = totals.get(name, 0.0) + cpu - self._start.get(tid, 0.0)
        return totals


def child_sync(base_url: str) -> None:
    """One full sync, rate limit off, in this (fresh) process; prints its figures as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = SourceRuntime(
            source=SOURCE,
            extracts=[Extract("0", base_url, BearerToken(TOKEN))],
            rate_limit=0,
        )
        with ThreadClock() as clock:
            with DuckDBWarehouse.open(Path(folder) / "w.duckdb") as warehouse:
                floor = _rss_mb()
                before = resource.getrusage(resource.RUSAGE_SELF)
                started = time.perf_counter()
                result = sync([runtime], warehouse)
            # After the close: its checkpoint compresses what the sync's WAL still holds, work
            # the sync leaves to it (all of it when no automatic checkpoint ran).
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
    assert result.ok, [(r.resource, r.error) for r in result.results]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    figures = {
        "rows": result.rows,
        "requests": result.requests,
        "seconds": seconds,
        "cpu": cpu,
        # Before the sync: the interpreter, the libraries and an open warehouse.
        "floor_mb": floor,
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so it would count the
        # parent's pages (this bench's own imports) as the child's.
        "peak_mb": _rss_mb("VmHWM"),
        # Where the CPU went: the event loop (HTTP, parsing, validation, rows), the writer
        # (frames and DuckDB's inserts, commits, checkpoints), the closing checkpoint.
        "threads": clock.by_name(),
        "peak_anon_mb": clock.peak_anon_mb,
        "file_mb": _rss_mb("RssFile"),
    }
    print(json.dumps(figures))


def measured_sync(
    base_url: str, python: str = sys.executable, cwd: Path | None = None
) -> dict[str, Any]:
    """`child_sync` in a fresh interpreter: its own CPU time and peak RSS, nothing else's.

    `python` and `cwd` run it with another checkout's code (`bench_baseline.py`)."""
    output = subprocess.run(
        [python, __file__, "--child-sync", base_url],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return figures


def thread_split(runs: list[dict[str, Any]]) -> str:
    """Each thread's median CPU per record over the runs, busiest first."""
    names = {name for run in runs for name in run.get("threads", {})}
    medians = {
        name: statistics.median(1e6 * r.get("threads", {}).get(name, 0.0) / r["rows"] for r in runs)
        for name in names
    }
    busiest = sorted(medians.items(), key=lambda item: -item[1])
    return ", ".join(f"{name} {us:.1f} us" for name, us in busiest if us >= 0.1)


def unlimited(references: int, repeat: int) -> None:
    process, url = start_simulator(references, 0)
    try:
        runs = []
        for i in range(repeat):
            run = measured_sync(url)
            runs.append(run)
            rows = run["rows"]
            print(
                f"  unlimited run {i + 1}: {rows:,.0f} rows, {run['requests']:,.0f} requests in "
                f"{run['seconds']:.1f}s = {rows / run['seconds']:,.0f} records/s; "
                f"CPU {run['cpu']:.1f}s = {1e6 * run['cpu'] / rows:.1f} us per record; "
                f"peak RSS {run['peak_mb']:.0f} MB"
            )
        rate = statistics.median(r["rows"] / r["seconds"] for r in runs)
        cpu = statistics.median(1e6 * r["cpu"] / r["rows"] for r in runs)
        print(
            f"full sync, rate limit off: median {rate:,.0f} records/s "
            f"({1e6 / rate:.1f} us wall per record), median CPU {cpu:.1f} us per record "
            f"(= {1e6 / cpu:,.0f} records per CPU second)"
        )
        print(f"  CPU per record by thread (medians): {thread_split(runs)}")
    finally:
        process.terminate()
        process.wait()


def memory(sizes: list[int], repeat: int) -> None:
    """Peak RSS of a full sync at several catalog sizes: flat means bounded by batches."""
    for references in sizes:
        process, url = start_simulator(references, 0)
        try:
            runs = [measured_sync(url) for _ in range(repeat)]
        finally:
            process.terminate()
            process.wait()
        peak = statistics.median(r["peak_mb"] for r in runs)
        floor = statistics.median(r["floor_mb"] for r in runs)
        each = ", ".join(f"{r['peak_mb']:.0f}" for r in runs)
        anon = statistics.median(r.get("peak_anon_mb", float("nan")) for r in runs)
        files = statistics.median(r.get("file_mb", float("nan")) for r in runs)
        print(
            f"memory, {references:,} references ({runs[0]['rows']:,.0f} rows): median peak RSS "
            f"{peak:.0f} MB (runs {each}); "
            f"{floor:.0f} MB before the sync (interpreter, libraries, open warehouse), "
            f"so {peak - floor:.0f} MB for the sync itself; private memory at most "
            f"{anon:.0f} MB, the libraries' file pages {files:.0f} MB at the end (their count "
            "follows the page cache)"
        )


def limited(references: int, repeat: int, latency: float) -> None:
    """Every resource against the simulator's strict 5-per-second window, with latency on."""
    process, url = start_simulator(references, 5.0, latency)
    try:
        shares = []
        for i in range(repeat):
            if i:
                # The server's window still holds the previous run's last requests: a sync
                # started within its second would meet a 429 that the runs' back-to-back
                # timing causes, not its pacing (a new sync cannot know of them).
                time.sleep(WINDOW_SECONDS)
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
        "--memory-references",
        default="2300,9200",
        help="catalog sizes of --only memory (9,200 references: about 121,000 rows)",
    )
    parser.add_argument(
        "--only",
        choices=("unlimited", "limited", "incremental", "memory"),
        help="run one part only",
    )
    parser.add_argument("--child-sync", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sync:
        child_sync(args.child_sync)
        return

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
    if args.only in (None, "memory"):
        sizes = [int(n) for n in args.memory_references.split(",")]
        memory(sizes, args.repeat)


if __name__ == "__main__":
    main()
