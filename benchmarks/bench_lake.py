"""Benchmark: "sync GS + sync Sartiq + build" serial on the file vs concurrent on a lake.

Both simulators run in this process on loopback; every `shotlist` step runs as a child
process (as cron or workers on other hosts would run them), timed by wall clock, its peak RSS
read from the kernel (wait4). The lake's catalog is a schema of its own in the given
PostgreSQL database, its data a local folder. Prints, in one run:
- wall time of the three steps serial on the file, and of both syncs at once then the build
  on the lake;
- rows/s of a full sync (both sources, one process) into a fresh file and a fresh lake;
- the peak RSS of the largest step of each.

    .venv/bin/python benchmarks/bench_lake.py --references 500 \\
        --catalog "postgres:dbname=postgres host=127.0.0.1 user=postgres"
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.config import parse_config
from etl.config_toml import config_toml
from etl.demo import DEMO_TOKEN, DEMO_TOKEN_ENV, SARTIQ_DEMO_TOKEN_ENV, demo_config
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.simulators.sartiq import SartiqSimulator

ROWS = re.compile(r"run \S+: (\d+) rows in ([\d.]+)s")


@dataclass
class Step:
    seconds: float
    rows: int
    sync_seconds: float
    rss_mb: float
    cpu_seconds: float


def write_config(folder: Path, warehouse: dict[str, Any], gs_url: str, sartiq: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "shotlist.toml"
    base = parse_config({"warehouse": warehouse}, path)
    path.write_text(config_toml(demo_config(base, gs_url, 0, sartiq)), encoding="utf-8")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--catalog", default="postgres:dbname=postgres host=127.0.0.1 user=postgres"
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
    with (
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp,
        gs.serve(host="127.0.0.1", port=0) as server,
        sartiq.serve(),
    ):
        root = Path(tmp)

        def lake(name: str) -> Path:
            schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
            section = {
                "kind": "ducklake",
                "catalog": args.catalog,
                "metadata_schema": schema,
                "data_path": str(root / schema),
            }
            return write_config(root / schema, section, server.base_url, sartiq)

        file_config = write_config(root / "file", {}, server.base_url, sartiq)
        file_run = serial(file_config, [*syncs, ("build",)])
        lake_config = lake("concurrent")
        started = time.perf_counter()
        both = finish([start(lake_config, *step) for step in syncs], started)
        build = finish([start(lake_config, "build")], time.perf_counter())
        single_file = serial(write_config(root / "file2", {}, server.base_url, sartiq), [("sync",)])
        single_lake = serial(lake("single"), [("sync",)])
    lake_wall = both.seconds + build.seconds
    print(f"references: {args.references} (Grand Shooting) + Sartiq seed {args.seed}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(
        f"file, serial   sync GS; sync Sartiq; build: {file_run.seconds:6.1f} s wall, "
        f"{file_run.cpu_seconds:.1f} s CPU"
    )
    print(
        f"lake, concurrent  sync GS || sync Sartiq; build: {lake_wall:6.1f} s wall, "
        f"{both.cpu_seconds + build.cpu_seconds:.1f} s CPU "
        f"(syncs {both.seconds:.1f} s, build {build.seconds:.1f} s)"
    )
    print(f"speed-up of the lake run over the file run: {file_run.seconds / lake_wall:.2f}x")
    for name, step in (("file", single_file), ("lake", single_lake)):
        rate = step.rows / step.sync_seconds if step.sync_seconds else 0.0
        print(
            f"full sync into a fresh {name}: {step.rows} rows, {rate:,.0f} rows/s, "
            f"{step.cpu_seconds:.1f} s CPU"
        )
    print(
        f"peak RSS of a step: file {max(file_run.rss_mb, single_file.rss_mb):.0f} MB, "
        f"lake {max(both.rss_mb, build.rss_mb, single_lake.rss_mb):.0f} MB"
    )


if __name__ == "__main__":
    main()
