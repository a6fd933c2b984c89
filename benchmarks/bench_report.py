"""Times the weekly report (xlsx with the Deliverables sheet, and html) on a large catalog.

    .venv/bin/python benchmarks/bench_report.py                 # 100,000 references, 3 runs
    .venv/bin/python benchmarks/bench_report.py --references 25000 --runs 1

It writes a synthetic analytics database with the marts' columns (4 current deliverables and
1.5 alerts per reference, 4 weekly coverage snapshots), then renders the report in a fresh
process per run and prints the median wall time and the peak resident memory of that process.
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
from pathlib import Path

import duckdb

DELIVERABLES_PER_REF = 4


def build_catalog(path: Path, references: int) -> dict[str, int]:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema meta")
    con.execute(
        """create table marts.shotlist_coverage as
        select 'grandshooting' as source,
               'REF' || lpad(i::varchar, 7, '0') as product_key,
               'Product ' || i || ' ' || (['shirt', 'dress', 'bag', 'shoe'])[1 + i % 4] as label,
               'Brand ' || (i % 12) as brand,
               (['SS25', 'FW25', 'SS26'])[1 + i % 3] as collection,
               (['Tops > Shirts', 'Dresses', 'Bags > Totes', 'Shoes > Boots'])[1 + i % 4]
                   as category,
               'guideline ' || (i % 4) as guideline,
               5::bigint as expected_images,
               (i % 2)::bigint as captured_images,
               (i % 3)::bigint as in_progress_images,
               (i % 6)::bigint as validated_images,
               greatest(5 - i % 6, 0)::bigint as missing_images,
               least(i % 6, 5) / 5.0 as coverage_pct,
               case when i % 6 < 5 then ['BACK', 'SIDE'] else [] end as missing_views,
               case when i % 6 >= 5 then 'complete' when i % 6 = 0 then 'not_started'
                    else 'in_progress' end as coverage_status
        from range(?) t(i)""",
        [references],
    )
    con.execute(
        """create table marts.deliverables as
        select 'grandshooting' as source,
               'PIC' || j as deliverable_key,
               'REF' || lpad((j // ?)::varchar, 7, '0') as product_key,
               'FW25 DAY' || (j % 40) || ' packshot' as production,
               'packshot' as shooting_method,
               40 as bench_step,
               'export' as stage,
               ([10, 30, 40, 50, 55])[1 + j % 5] as status_code,
               (['Not selected', 'Selected', 'For approval', 'Validated', 'Published'])[1 + j % 5]
                   as status_label,
               (['captured', 'in_progress', 'for_approval', 'validated', 'published'])[1 + j % 5]
                   as status_group,
               (['FRONT', 'BACK', 'SIDE', 'DETAIL'])[1 + j % 4] as view_type,
               2000 as width, 2000 as height, 800000 + j % 1000 as file_size,
               'sRGB IEC61966-2.1' as icc_profile, 'jpg' as file_format,
               'IMG_' || j || '.jpg' as file_name,
               md5(j::varchar) as hash,
               timestamp '2025-09-01' + to_minutes(j % 100000) as created_at,
               timestamp '2025-10-01' + to_minutes(j % 100000) as modified_at,
               case when j % 5 >= 3 then timestamp '2025-11-01' + to_minutes(j % 30000) end
                   as validated_at,
               true as in_scope
        from range(?) t(j)""",
        [DELIVERABLES_PER_REF, references * DELIVERABLES_PER_REF],
    )
    con.execute(
        """create table marts.guideline_alerts as
        select 'grandshooting' as source,
               (['wrong_dimensions', 'missing_required_view', 'wrong_icc_profile'])[1 + k % 3]
                   as alert_type,
               case when k % 3 = 1 then 'warn' else 'error' end as severity,
               'REF' || lpad((k * 2 // 3)::varchar, 7, '0') as product_key,
               'PIC' || k as deliverable_key,
               '2000x2000' as expected, '1000x1000' as actual,
               'image does not meet the guideline' as message
        from range(?) t(k)""",
        [references * 3 // 2],
    )
    con.execute(
        """create table marts.status_breakdown as
        select d.source, d.production, d.shooting_method, c.brand, c.collection, d.bench_step,
               d.stage, d.status_code, d.status_label, d.status_group,
               count(*) as deliverables, null::double as share
        from marts.deliverables d join marts.shotlist_coverage c using (source, product_key)
        group by all"""
    )
    con.execute(
        """create table marts.coverage_history as
        select current_date - (7 * w)::integer as snapshot_date, source, product_key, brand,
               collection, category, guideline, expected_images, captured_images,
               in_progress_images,
               greatest(validated_images - w, 0) as validated_images,
               missing_images + least(w, validated_images) as missing_images,
               coverage_pct, coverage_status, now()::timestamp as built_at
        from marts.shotlist_coverage, range(4) t(w)"""
    )
    con.execute(
        """create table meta.sync_runs as select 'r1' as run_id, 'grandshooting' as source,
           '0' as scope, 'pictures' as resource, 'incremental' as mode,
           now()::timestamp - interval 1 hour as started_at, now()::timestamp as ended_at,
           100 as pages, 10000 as rows, 'ok' as status, null as error"""
    )
    counts = {
        table: int(con.execute(f"select count(*) from marts.{table}").fetchone()[0])  # type: ignore[index]
        for table in ("shotlist_coverage", "deliverables", "guideline_alerts", "coverage_history")
    }
    con.close()
    return counts


def run_once(analytics: Path, out_dir: Path) -> None:
    """In a fresh process: render the report, print seconds and peak RSS (MiB)."""
    from etl.config import parse_config
    from etl.report import write_report

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
    files = write_report(config, formats=("xlsx", "html"), out_dir=out_dir)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sizes = ",".join(str(f.stat().st_size) for f in files)
    print(f"{seconds:.3f} {peak:.0f} {sizes}")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--run-once", nargs=2, metavar=("ANALYTICS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once:
        run_once(Path(args.run_once[0]), Path(args.run_once[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        analytics = Path(tmp) / "analytics.duckdb"
        started = time.perf_counter()
        counts = build_catalog(analytics, args.references)
        print(f"catalog: {counts} ({time.perf_counter() - started:.1f}s to generate)")
        times, peaks = [], []
        for run in range(args.runs):
            out = Path(tmp) / f"out{run}"
            done = subprocess.run(
                [sys.executable, __file__, "--run-once", str(analytics), str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, peak, sizes = done.stdout.split()
            times.append(float(seconds))
            peaks.append(float(peak))
            xlsx, html = (int(s) for s in sizes.split(","))
            print(
                f"run {run + 1}: {float(seconds):.1f}s, peak RSS {float(peak):.0f} MiB, "
                f"xlsx {xlsx / 1e6:.1f} MB, html {html / 1e3:.0f} KB"
            )
        print(
            f"median of {args.runs}: {statistics.median(times):.1f}s, "
            f"peak RSS {statistics.median(peaks):.0f} MiB "
            f"({args.references:,} references, Deliverables sheet on) on {machine()}"
        )


if __name__ == "__main__":
    main()
