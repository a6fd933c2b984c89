"""Trace a rate-limited sync on both sides: where every second over the floor goes.

The simulator runs in its own process and logs, per request, when its handler started, when
it counted the request in its window and when the answer was ready; the sync logs, per
request, when it asked for a turn, when the turn came (the bytes went out), when the answer
arrived and the count it then assumed. Both use CLOCK_MONOTONIC, which is one clock for
every process on Linux. Prints the breakdown of the sync's time against its floor:

    .venv/bin/python benchmarks/trace_limited.py --references 3000 --latency 0.25
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

# The sibling script (this folder is on sys.path when a benchmark runs).
from bench_sync import simulator_url

from etl.engine import client as client_module
from etl.engine import ratelimit
from etl.engine.auth import BearerToken
from etl.engine.sync import Extract, SourceRuntime, sync
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse

TOKEN = "trace-token"

# Run in the simulator's process: wraps its limiter and its handler to log each request.
SERVER = r"""
import json, sys, threading, time
from etl.simulators.grandshooting import server as srv, ratelimit as rl
out = open(sys.argv[1], "w", buffering=1)
local = threading.local()
acquire = rl.SlidingWindowLimiter.acquire
def traced_acquire(self, key):
    wait = acquire(self, key)
    local.counted = time.monotonic() if wait is None else None
    return wait
rl.SlidingWindowLimiter.acquire = traced_acquire
handle = srv.GrandShootingSimulator.handle
def traced_handle(self, method, target, headers):
    start = time.monotonic()
    local.counted = None
    reply = handle(self, method, target, headers)
    out.write(json.dumps({"id": headers.get("X-Trace") or headers.get("x-trace"),
        "start": start, "counted": local.counted, "ready": time.monotonic(),
        "status": reply.status, "bytes": len(reply.body)}) + "\n")
    return reply
srv.GrandShootingSimulator.handle = traced_handle
from etl.cli import main
sys.argv = ["shotlist"] + sys.argv[2:]
main()
"""


def start_server(log: Path, references: int, latency: float) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "TRACE_TOKEN": TOKEN}
    args = [
        sys.executable, "-c", SERVER, str(log), "simulate", "grandshooting",
        "--host", "127.0.0.1", "--port", "0", "--references", str(references),
        "--rate-limit", "5", "--latency", str(latency), "--token-env", "TRACE_TOKEN",
    ]  # fmt: skip
    process = subprocess.Popen(args, env=env, text=True, stdout=subprocess.PIPE)
    return process, simulator_url(process)


class ClientTrace:
    """Wraps the engine's client and limiter to log each request's turn and answer."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.next_id = 0
        self.waiting = 0

    def install(self) -> None:
        trace = self
        attempt = client_module.ApiClient._attempt
        acquire = ratelimit.SlidingWindow.acquire
        wait = ratelimit.SlidingWindow._wait

        def traced_wait(self: Any, now: float) -> float:
            # When the window had room for the request being granted (its gate).
            left = wait(self, now)
            self.last_gate = now + left if now + left > 1 else None
            return left

        async def traced_attempt(self: Any, path: str, request: Any) -> Any:
            trace.next_id += 1
            rid = str(trace.next_id)
            trace.rows[rid] = {"id": rid, "path": path, "asked": time.monotonic()}
            return await attempt(self, path, request.with_headers(**{"X-Trace": rid}))

        async def traced_acquire(self: Any) -> Any:
            trace.waiting += 1
            try:
                return await acquire(self)
            finally:
                trace.waiting -= 1

        class TracedTurn(client_module._Turn):
            __slots__ = ("row",)

            async def hook(self, event: str, info: dict[str, Any]) -> None:
                if event.endswith("send_request_headers.started"):
                    # httpcore's request carries (bytes, bytes) pairs, the lean transport's
                    # an httpx request: httpx.Headers reads either, case-insensitively.
                    rid = httpx.Headers(info["request"].headers)["x-trace"]
                    self.row = trace.rows[rid]
                    self.row.setdefault("attempts", 0)
                    self.row["attempts"] += 1
                    self.row["turn_asked"] = time.monotonic()
                    self.row["waiting"] = trace.waiting
                await super().hook(event, info)
                if event.endswith("send_request_headers.started") and self.send is not None:
                    self.row["at"] = self.send.at
                    self.row["gate"] = getattr(self.limiter, "last_gate", None)

            def answered(self, kind: str, ok: bool) -> None:
                super().answered(kind, ok)
                if self.send is not None:
                    self.row.update(answer=self.answer, assumed=self.send.counted, kind=kind)

        client_module.ApiClient._attempt = traced_attempt  # type: ignore[method-assign]
        ratelimit.SlidingWindow.acquire = traced_acquire  # type: ignore[method-assign]
        ratelimit.SlidingWindow._wait = traced_wait  # type: ignore[method-assign]
        client_module._Turn = TracedTurn  # type: ignore[misc]


def run(
    references: int, latency: float, runs: int, pause: float
) -> list[tuple[list[dict[str, Any]], dict[str, float]]]:
    """`runs` syncs against one simulator, `pause` seconds apart (as `bench_sync.py` runs them)."""
    trace = ClientTrace()
    trace.install()
    traced = []
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "server.jsonl"
        process, url = start_server(log, references, latency)
        try:
            for i in range(runs):
                time.sleep(pause if i else 0)
                trace.rows = {}
                runtime = SourceRuntime(
                    source=SOURCE,
                    extracts=[Extract("0", url, BearerToken(TOKEN))],
                    rate_limit=5.0,
                )
                with DuckDBWarehouse.open(Path(folder) / f"w{i}.duckdb") as warehouse:
                    start = time.monotonic()
                    result = sync([runtime], warehouse)
                    end = time.monotonic()
                assert result.ok, [(r.resource, r.error) for r in result.results]
                stats = {
                    "start": start,
                    "end": end,
                    "requests": result.requests,
                    "throttled": result.throttled,
                }
                traced.append((trace.rows, stats))
        finally:
            process.terminate()
            process.wait()
        server = [json.loads(line) for line in log.read_text().splitlines()]
    # Ids restart with each run: a server entry belongs to the run whose span holds it.
    for entry in server:
        for rows, stats in traced:
            if stats["start"] <= entry["start"] <= stats["end"]:
                row = rows[entry["id"]]
                if entry["counted"] is not None:
                    row.update(counted=entry["counted"], ready=entry["ready"])
                    row["bytes"] = entry["bytes"]
                else:
                    row.setdefault("refused", []).append(entry["start"] - stats["start"])
    return [(list(rows.values()), stats) for rows, stats in traced]


def analyse(rows: list[dict[str, Any]], stats: dict[str, float], margin: float) -> None:
    counted = sorted((r for r in rows if "counted" in r), key=lambda r: r["counted"])
    n = len(counted)
    wall = stats["end"] - stats["start"]
    floor = stats["requests"] / 5
    print(
        f"{stats['requests']:.0f} requests, {stats['throttled']:.0f} x 429, {wall:.2f}s "
        f"(floor {floor:.1f}s, {floor / wall:.1%}); load {os.getloadavg()[0]:.1f}"
    )
    c = [r["counted"] for r in counted]
    startup = c[0] - stats["start"]
    tail = stats["end"] - c[-1]
    # Counts i and i + 5 are at least a window apart: n counts span at least (n - 1) // 5 s.
    ideal = (n - 1) // 5
    print(
        f"start-up (sync() called -> first count): {startup:.3f}s; "
        f"first asked at +{min(r['asked'] for r in rows) - stats['start']:.3f}s"
    )
    print(
        f"tail (last count -> sync() returns): {tail:.3f}s; last answer at "
        f"-{stats['end'] - max(r.get('answer') or 0 for r in rows):.3f}s"
    )
    # What the span exceeds that by is the sum of each stride's excess over one second.
    span = c[-1] - c[0]
    print(
        f"span first -> last count: {span:.2f}s for {n} counts (at least {ideal}s: "
        f"excess {span - ideal:.2f}s)"
    )
    idle = est = marg = late = pre = other = 0.0
    lates, ests, pres, excesses, idles = [], [], [], [], []
    stride = range(0, n - 5, 5)
    for i in stride:
        a, b = counted[i], counted[i + 5]
        excess = b["counted"] - a["counted"] - 1
        excesses.append(excess)
        ready = b["turn_asked"]
        lost = max(0.0, min(excess, ready - (a["counted"] + 1)))
        if lost > 0.002:
            idle += lost
            idles.append(lost)
            continue
        e = a["assumed"] - a["counted"]
        lt = b["at"] - (b["gate"] if b.get("gate") is not None else a["assumed"] + 1 + margin)
        p = b["counted"] - b["at"]
        est += e
        marg += margin
        late += lt
        pre += p
        other += excess - e - margin - lt - p
        lates.append(lt)
        ests.append(e)
        pres.append(p)
    print(
        f"windows: {len(excesses)}, mean excess {1000 * statistics.mean(excesses):.1f} ms, "
        f"median {1000 * statistics.median(excesses):.1f} ms, total {sum(excesses):.2f}s"
    )
    print(
        f"  not ready (the 6th request asked its turn after the window had room): "
        f"{idle:.2f}s in {len(idles)} windows"
    )
    print(
        f"  count estimate above the true count: {est:.2f}s "
        f"(median {1000 * statistics.median(ests or [0]):.1f} ms)"
    )
    print(f"  margin: {marg:.2f}s")
    print(
        f"  turn later than its gate (timer, lock, event loop): {late:.2f}s "
        f"(median {1000 * statistics.median(lates or [0]):.1f} ms)"
    )
    print(
        f"  server's delay before counting: {pre:.2f}s "
        f"(median {1000 * statistics.median(pres or [0]):.1f} ms)"
    )
    print(f"  unexplained (gate not the 5th-previous count): {other:.2f}s")
    refused = sorted(t for r in rows for t in r.get("refused", []))
    print(
        f"server refusals: {len(refused)}"
        + (f", at {', '.join(f'+{t:.2f}s' for t in refused)} into the sync" if refused else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--pause", type=float, default=1.0, help="seconds between runs (as bench_sync.py)"
    )
    parser.add_argument("--dump", type=Path, help="write every request's trace as JSON lines")
    args = parser.parse_args()
    traced = run(args.references, args.latency, args.runs, args.pause)
    for i, (rows, stats) in enumerate(traced):
        print(f"-- run {i + 1}")
        analyse(rows, stats, ratelimit.SlidingWindow(5).margin)
        if args.dump:
            with args.dump.with_suffix(f".{i + 1}.jsonl").open("w") as out:
                out.write(json.dumps(stats) + "\n")
                for row in rows:
                    out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
