"""Times the weekly report (xlsx with the Deliverables sheet, and html) on a large catalog.

    .venv/bin/python benchmarks/bench_report.py                 # 100,000 references, 3 runs
    .venv/bin/python benchmarks/bench_report.py --references 25000 --runs 1
    .venv/bin/python benchmarks/bench_report.py --analytics /tmp/a.duckdb   # keep / reuse it

The catalog is the real build's: `bench_build.generate` fills a Grand Shooting account (4
photos per reference, three copies each) and `shotlist build` makes every mart from it, so the
report reads the marts and columns it reads in production. The build runs twice: first dated
three weeks back, then that snapshot is copied to two and one week back (with fewer validated
images), and the second build is today's, so the KPIs have a week-over-week history.
The report is then rendered in a fresh process per run; each run prints its wall time, CPU
seconds (user + system, all threads: on a shared machine it moves less than wall time) and
peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from etl.config import parse_config
from etl.report import write_report

IMAGES_PER_REF = 4


def build_catalog(folder: Path, analytics: Path, references: int) -> dict[str, int]:
    """Generate the account and build it twice (see the module docstring)."""
    # Imported here, not at the top: each measured run is a fresh process of this script, and
    # it should load what the report loads, not the build and the generator too.
    from bench_build import _config, generate

    from etl.models import build

    warehouse = folder / "warehouse.duckdb"
    config = _config(folder, warehouse, analytics)
    generate(warehouse, references, IMAGES_PER_REF)
    today = date.today()
    first = build(config, today=today - timedelta(days=21))
    if not first.ok:
        raise SystemExit("\n".join(first.summary_lines()))
    con = duckdb.connect(str(warehouse))
    try:
        # Two more snapshots, one and two weeks after the first; validated images grow by one
        # per product and week up to today's, so the week-over-week figures move.
        con.execute(
            """insert into marts.coverage_history by name
               select h.* replace (
                   snapshot_date + 7 * w::integer as snapshot_date,
                   greatest(validated_images - 3 + w, 0) as validated_images,
                   least(greatest(validated_images - 3 + w, 0), expected_images)
                       as covered_images)
               from marts.coverage_history h, (select unnest([1, 2]) as w)"""
        )
        con.execute(
            """update marts.coverage_history
               set validated_images = greatest(validated_images - 3, 0),
                   covered_images = least(greatest(validated_images - 3, 0), expected_images)
               where snapshot_date = ?""",
            [today - timedelta(days=21)],
        )
    finally:
        con.close()
    second = build(config)
    if not second.ok:
        raise SystemExit("\n".join(second.summary_lines()))
    return _counts(analytics)


def _counts(analytics: Path) -> dict[str, int]:
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        return {
            table: int(con.execute(f"select count(*) from marts.{table}").fetchone()[0])  # type: ignore[index]
            for table in (
                "shotlist_coverage",
                "deliverables",
                "guideline_alerts",
                "coverage_history",
            )
        }
    finally:
        con.close()


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM).

    Not getrusage's ru_maxrss: Linux carries that across fork and exec, so a run started by a
    parent that had just built the catalog in-process reported the parent's 1.1 GB.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(analytics: Path, out_dir: Path) -> None:
    """In a fresh process: render the report, print wall s, CPU s, peak RSS (MiB), sizes."""
    config = parse_config(
        {
            "warehouse": {
                "path": str(analytics.with_name("warehouse.duckdb")),
                "analytics_path": str(analytics),
            },
            "report": {"deliverables_sheet": True},
        },
        None,
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    files = write_report(config, formats=("xlsx", "html"), out_dir=out_dir)
    cpu = time.process_time() - cpu_started
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    sizes = ",".join(str(f.stat().st_size) for f in files)
    print(f"{seconds:.3f} {cpu:.3f} {peak:.0f} {sizes}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--analytics",
        type=Path,
        help="keep the built analytics file here, and reuse it when it exists "
        "(generating and building 100,000 references takes minutes)",
    )
    parser.add_argument("--run-once", nargs=2, metavar=("ANALYTICS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once:
        run_once(Path(args.run_once[0]), Path(args.run_once[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        analytics = (args.analytics or Path(tmp) / "analytics.duckdb").resolve()
        if analytics.exists():
            print(f"reusing {analytics}: {_counts(analytics)}")
        else:
            started = time.perf_counter()
            build_folder = Path(tmp) / "build"
            build_folder.mkdir()
            counts = build_catalog(build_folder, analytics, args.references)
            print(f"catalog: {counts} ({time.perf_counter() - started:.1f}s to generate and build)")
        times, cpus, peaks = [], [], []
        for run in range(args.runs):
            out = Path(tmp) / f"out{run}"
            done = subprocess.run(
                [sys.executable, __file__, "--run-once", str(analytics), str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, cpu, peak, sizes = done.stdout.split()
            times.append(float(seconds))
            cpus.append(float(cpu))
            peaks.append(float(peak))
            xlsx, html = (int(s) for s in sizes.split(","))
            print(
                f"run {run + 1}: {float(seconds):.1f}s wall, {float(cpu):.1f}s cpu, "
                f"peak RSS {float(peak):.0f} MiB, xlsx {xlsx / 1e6:.1f} MB, "
                f"html {html / 1e3:.0f} KB ({load()})"
            )
        print(
            f"median of {args.runs}: {statistics.median(times):.1f}s wall, "
            f"{statistics.median(cpus):.1f}s cpu, peak RSS {statistics.median(peaks):.0f} MiB "
            f"({args.references:,} references, Deliverables sheet on) on {machine()}, {load()}"
        )


if __name__ == "__main__":
    main()
