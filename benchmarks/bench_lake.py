"""Benchmark: "sync GS + sync Sartiq + build" serial on the file vs concurrent on a lake.

Both simulators run in this process on loopback; every `shotlist` step runs as a child
process (as cron or workers on other hosts would run them), timed by wall clock, its peak RSS
read from the kernel (wait4). The lake's catalog is a schema of its own in the given
PostgreSQL database, its data a local folder. Prints, in one run, twice:
- with the APIs as a deployment meets them: both sources at the shipped rate limit (5
  requests/s, Grand Shooting's documented limit, which its simulator enforces) and a latency
  per request: what concurrent syncs are for, since a sync then mostly waits on its API;
- unthrottled (no limit, no latency): the warehouse's own write speed, where the lake's cost
  per commit shows whole;
each time: wall time of the three steps serial on the file, and of both syncs at once then
the build on the lake; rows/s of a full sync (both sources, one process) into a fresh file
and a fresh lake, `--pairs` times alternately (median; rows over the seconds the sync command
prints, to 0.01 s, from opening the warehouse to its last commit); the requests each source
answered during the concurrent syncs. Then the peak RSS of the largest step of each kind.
`--rounds deployed` or `--rounds unthrottled` runs one of the two.

Concurrency saves at most the shorter of the two syncs, and at a rate limit a sync lasts about
its requests divided by the limit. Sartiq's simulator has a fixed size (99 requests); Grand
Shooting's grows with `--references` (32 requests at 150, 99 at 600, 133 at 800, counted on
the simulators), so the default, 600, makes both syncs about as long at the deployed limit:
the case where running them at once can approach twice as fast.

    .venv/bin/python benchmarks/bench_lake.py --references 600 \\
        --catalog "postgres:dbname=postgres host=127.0.0.1 user=postgres"
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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.config import load_config, parse_config
from etl.config_toml import config_toml
from etl.demo import DEMO_TOKEN, DEMO_TOKEN_ENV, SARTIQ_DEMO_TOKEN_ENV, demo_config
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.simulators.grandshooting.faults import Faults
from etl.simulators.sartiq import SartiqSimulator
from etl.workspace import connect

ROWS = re.compile(r"run \S+: (\d+) rows in ([\d.]+)s")


@dataclass
class Step:
    seconds: float
    rows: int
    sync_seconds: float
    rss_mb: float
    cpu_seconds: float


def write_config(
    folder: Path, warehouse: dict[str, Any], gs_url: str, sartiq: Any, rate_limit: float = 0.0
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "shotlist.toml"
    base = parse_config({"warehouse": warehouse}, path)
    path.write_text(config_toml(demo_config(base, gs_url, rate_limit, sartiq)), encoding="utf-8")
    return path


def start(config: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "etl", "--config", str(config), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(children: Sequence[subprocess.Popen[str]], started: float) -> Step:
    """Wait for every child; the wall time since `started`, rows synced, largest RSS."""
    rows, sync_seconds, rss, cpu = 0, 0.0, 0.0, 0.0
    for child in children:
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, child.args))} failed:\n{output[-2000:]}")
        for found in ROWS.finditer(output):
            rows += int(found.group(1))
            sync_seconds += float(found.group(2))
        rss = max(rss, usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime
    return Step(time.perf_counter() - started, rows, sync_seconds, rss, cpu)


def serial(config: Path, steps: Sequence[Sequence[str]]) -> Step:
    started = time.perf_counter()
    done = [finish([start(config, *step)], started) for step in steps]
    return Step(
        time.perf_counter() - started,
        sum(s.rows for s in done),
        sum(s.sync_seconds for s in done),
        max(s.rss_mb for s in done),
        sum(s.cpu_seconds for s in done),
    )


@dataclass
class Round:
    """One setting of the APIs: the file run, the lake run, and a full sync into each."""

    title: str
    file_run: Step
    lake_syncs: Step
    lake_build: Step
    # Full syncs into a fresh file and a fresh lake, in interleaved pairs.
    single_files: list[Step]
    single_lakes: list[Step]
    # Requests answered by (Grand Shooting, Sartiq) during the concurrent syncs.
    requests: tuple[int, int] = (0, 0)

    @property
    def lake_wall(self) -> float:
        return self.lake_syncs.seconds + self.lake_build.seconds

    def rss(self, kind: str) -> float:
        steps = (
            (self.file_run, *self.single_files)
            if kind == "file"
            else (self.lake_syncs, self.lake_build, *self.single_lakes)
        )
        return max(step.rss_mb for step in steps)

    def print(self) -> None:
        print(self.title)
        file_run = self.file_run
        print(
            f"  file, serial   sync GS; sync Sartiq; build: {file_run.seconds:6.1f} s wall, "
            f"{file_run.cpu_seconds:.1f} s CPU"
        )
        print(
            f"  lake, concurrent  sync GS || sync Sartiq; build: {self.lake_wall:6.1f} s wall, "
            f"{self.lake_syncs.cpu_seconds + self.lake_build.cpu_seconds:.1f} s CPU "
            f"(syncs {self.lake_syncs.seconds:.1f} s, build {self.lake_build.seconds:.1f} s)"
        )
        print(
            f"  requests during the concurrent syncs: GS {self.requests[0]}, "
            f"Sartiq {self.requests[1]}"
        )
        speed_up = file_run.seconds / self.lake_wall
        print(f"  speed-up of the lake run over the file run: {speed_up:.2f}x")
        rates: dict[str, list[float]] = {}
        for name, steps in (("file", self.single_files), ("lake", self.single_lakes)):
            rates[name] = [rows_per_second(step) for step in steps]
            print(
                f"  full sync into a fresh {name}: {steps[0].rows} rows, median "
                f"{statistics.median(rates[name]):,.0f} rows/s "
                f"(runs {', '.join(f'{rate:,.0f}' for rate in rates[name])}), median "
                f"{statistics.median(step.cpu_seconds for step in steps):.1f} s CPU"
            )
        # Each lake sync against the file sync run next to it: the machine's load drifts
        # between pairs more than within one.
        shares = [
            lake / file for file, lake in zip(rates["file"], rates["lake"], strict=True) if file
        ]
        if shares:
            print(
                f"  lake rows/s as a share of the file's: median {statistics.median(shares):.0%} "
                f"(pairs {', '.join(f'{share:.0%}' for share in shares)})"
            )


def rows_per_second(step: Step) -> float:
    return step.rows / step.sync_seconds if step.sync_seconds else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--references",
        type=int,
        default=600,
        help="Grand Shooting's size; 600 makes its sync as many requests as Sartiq's (99)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--catalog", default="postgres:dbname=postgres host=127.0.0.1 user=postgres"
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=5.0,
        help="requests/s per source in the first round (the sources' shipped default)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.25, help="seconds per request in the first round"
    )
    parser.add_argument(
        "--rounds",
        choices=("both", "deployed", "unthrottled"),
        default="both",
        help="which rounds to run: the APIs as deployed, unthrottled, or both (one run)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="full syncs into a fresh file and a fresh lake per round, alternately (median)",
    )
    args = parser.parse_args()
    os.environ[DEMO_TOKEN_ENV] = DEMO_TOKEN
    gs = GrandShootingSimulator(
        generate_catalog(CatalogSpec(references=args.references, seed=args.seed)),
        token=DEMO_TOKEN,
        rate_limit=0,
    )
    sartiq = SartiqSimulator(args.seed)
    os.environ[SARTIQ_DEMO_TOKEN_ENV] = sartiq.token
    syncs = [("sync", "grandshooting"), ("sync", "sartiq")]
    rounds: list[Round] = []
    with (
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp,
        gs.serve(host="127.0.0.1", port=0) as server,
        sartiq.serve(),
    ):
        root = Path(tmp)

        def one_round(title: str, rate_limit: float, latency: float) -> Round:
            gs.rate_limit = rate_limit
            gs.faults = Faults(latency=latency)
            sartiq.faults.latency = latency

            def file(name: str) -> Path:
                return write_config(root / name, {}, server.base_url, sartiq, rate_limit)

            def lake(name: str) -> Path:
                schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
                section = {
                    "kind": "ducklake",
                    "catalog": args.catalog,
                    "metadata_schema": schema,
                    "data_path": str(root / schema),
                }
                path = write_config(root / schema, section, server.base_url, sartiq, rate_limit)
                # The lake's catalog and tables are made once per deployment, not per sync (the
                # file's by its first sync, in no time): made here, untimed.
                connect(load_config(path)).close()
                return path

            tag = uuid.uuid4().hex[:6]
            file_run = serial(file(f"file_{tag}"), [*syncs, ("build",)])
            lake_config = lake("concurrent")
            gs.requests.clear()
            sartiq.clear_requests()
            started = time.perf_counter()
            both = finish([start(lake_config, *step) for step in syncs], started)
            requests = (len(gs.requests.snapshot()), len(sartiq.requests))
            build = finish([start(lake_config, "build")], time.perf_counter())
            single_files, single_lakes = [], []
            for pair in range(args.pairs):
                single_files.append(serial(file(f"single_{tag}_{pair}"), [("sync",)]))
                single_lakes.append(serial(lake("single"), [("sync",)]))
            return Round(title, file_run, both, build, single_files, single_lakes, requests)

        if args.rounds in ("both", "deployed"):
            rounds.append(
                one_round(
                    f"APIs as deployed ({args.rate_limit:g} requests/s per source, "
                    f"{args.latency:g} s latency per request):",
                    args.rate_limit,
                    args.latency,
                )
            )
        if args.rounds in ("both", "unthrottled"):
            rounds.append(one_round("Unthrottled (no rate limit, no latency):", 0.0, 0.0))
    print(f"references: {args.references} (Grand Shooting) + Sartiq seed {args.seed}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores shared)")
    for one in rounds:
        one.print()
    print(
        f"peak RSS of a step: file {max(r.rss('file') for r in rounds):.0f} MB, "
        f"lake {max(r.rss('lake') for r in rounds):.0f} MB"
    )


if __name__ == "__main__":
    main()
