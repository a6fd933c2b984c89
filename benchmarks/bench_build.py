"""Times `shotlist build` on a large synthetic Grand Shooting account (raw rows made in SQL).

Usage: python benchmarks/bench_build.py [--references 100000] [--images 4] [--runs 3]
       [--warehouse FILE (reused when it exists)] [--analytics FILE] [--top 8]
       [--compare ANALYTICS_FILE] [--threads N] [--workers N]

Each reference gets `--images` photos, each photo three copies (live -> retouching ->
validation, linked parent/child), so 100,000 references x 4 images = 1,200,000 pictures of
which 400,000 are current. 90% of references have a synced specification category (5 view
types with formats); the rest use the example guideline file. One picture in ten shows a look.
It prints the wall and CPU seconds of each run, the CPU seconds of the models, of storing the
marts into the warehouse, of the data tests and of the copies into the analytics file, and the
slowest models. `--compare` checks that every mart equals the same mart of an analytics file
published earlier (`except all` both ways), so a faster build can be shown to give the same
marts on the same `--warehouse`. A reused `--warehouse` keeps its `marts.coverage_history`
(one snapshot per build day), so reuse one file across days only when that growth does not
matter.

A new warehouse's first build is printed apart, before the measured runs: with no stored marts
DuckDB chooses every column's compression (`etl/models/layouts.py`), about a second more than
the rebuilds a scheduled job runs. The median is over the rebuilds that follow it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from etl.config import Config, load_config
from etl.models import build
from etl.models.raw import ensure_all_raw_tables
from etl.resources import EXAMPLE_GUIDELINES

CATEGORIES = 9
PRODUCTIONS = 200

_VIEW_TYPES = """[
  {"code": "FRONT", "rang": 1, "smalltext": "Front", "shootingmethod": "Packshot",
   "formats": [{"format_id": 1, "file_format": "JPG", "width": 2000, "height": 2500,
                "icc_profile": "sRGB IEC61966-2.1", "max_file_size": 1500},
               {"format_id": 2, "file_format": "JPG", "width": 4000, "height": 5000,
                "authorize_max_width": true, "max_width": 4500, "max_file_size": 6000}]},
  {"code": "BACK", "rang": 2, "smalltext": "Back", "shootingmethod": "Packshot",
   "formats": [{"format_id": 1, "file_format": "JPG", "width": 2000, "height": 2500,
                "icc_profile": "sRGB IEC61966-2.1", "max_file_size": 1500}]},
  {"code": "SIDE", "rang": 3, "smalltext": "Side", "shootingmethod": "Packshot",
   "formats": [{"format_id": 1, "file_format": "JPG", "width": 2000, "height": 2500,
                "icc_profile": "sRGB IEC61966-2.1", "max_file_size": 1500}]},
  {"code": "DETAIL", "rang": 4, "smalltext": "Detail", "shootingmethod": "Packshot",
   "formats": []},
  {"code": "WORN", "rang": 5, "smalltext": "Worn", "shootingmethod": "On-model",
   "formats": [{"format_id": 3, "file_format": "TIF", "icc_profile": "Adobe RGB (1998)"}]}
]"""


def generate(path: Path, references: int, images: int) -> tuple[int, int]:
    """Fill the raw tables; returns (references, pictures)."""
    con = duckdb.connect(str(path))
    try:
        ensure_all_raw_tables(con)
        con.execute(
            "insert into raw.grandshooting__shooting_methods (account_id, shooting_method_id, "
            "shootingmethod) values (0, 1, 'Packshot'), (0, 2, 'On-model')"
        )
        con.execute(
            f"""insert into raw.grandshooting__specification_categories
                (account_id, category_id, smalltext, ranking, view_types)
            select 0, c + 1, 'Category ' || (c + 1), c, ?::json from range({CATEGORIES}) t(c)""",
            [_VIEW_TYPES],
        )
        con.execute(
            f"""insert into raw.grandshooting__benches
                (account_id, bench_id, root_id, parent_id, smalltext, benchsteptype,
                 shooting_method_id)
            select 0, p * 3 + s + 1, p * 3 + 1, case when s > 0 then p * 3 + s end,
                   'Production ' || p || ' step ' || s, [10, 30, 40][s + 1], p % 2 + 1
            from range({PRODUCTIONS}) a(p), range(3) b(s)"""
        )
        con.execute(
            f"""insert into raw.grandshooting__references
                (account_id, reference_id, ref, smalltext, univers, gamme, family, brand,
                 collection, gender, color, size, category_id, shotlist)
            select 0, i + 1, 'REF' || lpad(i::varchar, 7, '0'), 'Product ' || i,
                   ['RTW', 'Accessories', 'Shoes', 'Beauty'][i % 4 + 1],
                   ['Tops', 'Bags', 'Shoes', 'Fragrance', 'Bottoms'][i % 5 + 1],
                   ['Shirts', 'Handbags', 'Boots', 'Perfume', 'Jeans', 'Coats'][i % 6 + 1],
                   ['ALDA', 'BATCHEMON', 'NORD', 'SOLENE', 'KIMURA'][i % 5 + 1],
                   ['SS25', 'FW25', 'SS26'][i % 3 + 1], ['Woman', 'Man'][i % 2 + 1],
                   'BLACK', 'M',
                   case when i % 10 <> 0 then i % {CATEGORIES} + 1 end,
                   'Shotlist ' || (i % 20)
            from range({references}) t(i)"""
        )
        looks = references // 10
        con.execute(
            f"""insert into raw.grandshooting__looks (account_id, look_id, name)
            select 0, l + 1, 'Look ' || l from range({looks}) t(l)"""
        )
        con.execute(
            f"""insert into raw.grandshooting__look_references
                (account_id, look_id, look_reference_id, reference_id, ref)
            select 0, l + 1, l * 2 + m + 1, (l * 10 + m * 5) % {references} + 1, null
            from range({looks}) a(l), range(2) b(m)"""
        )
        # picture_id = ((ref * images) + image) * 3 + copy + 1; copy 2 is the current one.
        con.execute(
            f"""insert into raw.grandshooting__pictures
                (account_id, picture_id, bench_id, bench_root_id, benchsteptype, picturestatus,
                 smalltext, file_path, filesize, width, height, reference_id, reference_ids,
                 parent_id, child_ids, icc_profile, hash, view_type_code, date_cre, date_mod,
                 validation_date, shootingmethod, look_id, alerts)
            with base as (
                select r, img, k, ((r * {images}) + img) * 3 + k + 1 as pid,
                       hash(r, img) % 100 as h, (r % {PRODUCTIONS}) * 3 + k + 1 as bench
                from range({references}) a(r), range({images}) b(img), range(3) c(k)
            )
            select 0, pid, bench, (r % {PRODUCTIONS}) * 3 + 1, [10, 30, 40][k + 1],
                   case when k < 2 then 30
                        when h < 45 then 50 when h < 60 then 55 when h < 70 then 40
                        when h < 78 then 31 when h < 80 then 52 when h < 85 then 80
                        when h < 90 then 10 else 51 end,
                   'REF' || r || '_' || img || '.' || case when h = 7 then 'png' else 'jpg' end,
                   'prod/REF' || r || '_' || img || '.jpg',
                   case when h = 3 then 9000000 else 900000 end,
                   case when h = 5 then 1999 else 2000 end, 2500,
                   (r + 1)::varchar, ('[' || (r + 1) || ']')::json,
                   case when k > 0 then pid - 1 end,
                   (case when k < 2 then '[' || (pid + 1) || ']' else '[]' end)::json,
                   'sRGB IEC61966-2.1', md5((r * {images} + img)::varchar),
                   ['FRONT', 'BACK', 'SIDE', 'DETAIL', 'WORN', 'FRONT'][img % 6 + 1],
                   timestamp '2025-01-01' + to_days((r % 300)::integer),
                   timestamp '2025-01-02' + to_days((r % 300)::integer),
                   null, null,
                   case when img = 0 and r % 10 = 0 then r // 10 + 1 end,
                   case when h = 11 then '["out_of_shotlist"]' else '[]' end::json
            from base"""
        )
        pictures = con.execute("select count(*) from raw.grandshooting__pictures").fetchone()
    finally:
        con.close()
    return references, int(pictures[0]) if pictures else 0


def compare_marts(published: Path, reference: Path) -> list[str]:
    """One line per mart: equal, or how many rows differ each way (`except all`)."""
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{published}' as new (read_only)")
        con.execute(f"attach '{reference}' as old (read_only)")
        tables = {
            name
            for db in ("new", "old")
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where database_name = ? "
                "and schema_name = 'marts'",
                [db],
            ).fetchall()
        }
        lines = []
        for table in sorted(tables):
            # When a build ran is not part of what it computed.
            stamped = con.execute(
                "select count(*) from duckdb_columns() where database_name = 'new' "
                "and schema_name = 'marts' and table_name = ? and column_name = 'built_at'",
                [table],
            ).fetchone()
            columns = "* exclude (built_at)" if stamped and stamped[0] else "*"
            try:
                counts = [
                    con.execute(
                        f"select count(*) from (select {columns} from {a}.marts.{table} "
                        f"except all select {columns} from {b}.marts.{table})"
                    ).fetchone()
                    for a, b in (("new", "old"), ("old", "new"))
                ]
            except duckdb.Error as exc:
                lines.append(f"  {table}: cannot compare ({str(exc).splitlines()[0]})")
                continue
            only_new, only_old = (int(c[0]) if c else 0 for c in counts)
            verdict = "equal" if only_new == only_old == 0 else "DIFFERENT"
            lines.append(f"  {table}: {verdict} ({only_new} rows only new, {only_old} only old)")
        return lines
    finally:
        con.close()


def _machine() -> str:
    """Cores and load average, so a figure can be read against how busy the machine was."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _config(folder: Path, warehouse: Path, analytics: Path) -> Config:
    (folder / "guidelines.toml").write_text(EXAMPLE_GUIDELINES.read_text(encoding="utf-8"))
    (folder / "shotlist.toml").write_text(
        f"[warehouse]\npath = {json.dumps(str(warehouse))}\n"
        f"analytics_path = {json.dumps(str(analytics))}\n"
        '[guidelines]\npath = "guidelines.toml"\n'
    )
    return load_config(folder / "shotlist.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--references", type=int, default=100_000)
    parser.add_argument("--images", type=int, default=4, help="photos per reference")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="keep the generated warehouse in this file, and reuse it when it exists "
        "(generation takes about a minute; --references/--images then only apply to a new file)",
    )
    parser.add_argument(
        "--analytics", type=Path, help="publish the analytics file here (default: a temp folder)"
    )
    parser.add_argument("--top", type=int, default=8, help="slowest models to list")
    parser.add_argument(
        "--threads",
        type=int,
        help="DuckDB threads for the build (default 1 with several workers, else one per "
        "core; 1 gives CPU seconds that a busy machine inflates less)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="connections running models, tests and copies at once (default one per core)",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="an analytics file published earlier from the same --warehouse: check every "
        "mart is equal (except all, both ways)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warehouse = (args.warehouse or folder / "warehouse.duckdb").resolve()
        analytics = (args.analytics or folder / "analytics.duckdb").resolve()
        config = _config(folder, warehouse, analytics)
        print(f"machine: {_machine()}")
        if warehouse.exists():
            print(f"reusing {warehouse}")
        else:
            started = time.perf_counter()
            refs, pictures = generate(warehouse, args.references, args.images)
            print(
                f"generated {refs:,} references, {pictures:,} pictures in "
                f"{time.perf_counter() - started:.1f}s"
            )
            cpu_started = time.process_time()
            first = build(config, threads=args.threads, workers=args.workers)
            if not first.ok:
                raise SystemExit("\n".join(first.summary_lines()))
            print(
                f"first build of the new warehouse (every mart packed afresh): "
                f"{first.seconds:.1f}s, cpu {time.process_time() - cpu_started:.1f}s "
                f"({_machine()}); the runs below rebuild it"
            )
        timings: list[float] = []
        per_model: dict[str, list[float]] = {}
        per_model_cpu: dict[str, list[float]] = {}
        phases: dict[str, list[float]] = {}
        step_cpu: dict[str, list[float]] = {}
        cpu: list[float] = []
        for run in range(1, args.runs + 1):
            # CPU seconds (all threads) next to wall time: on a shared machine it moves less.
            cpu_started = time.process_time()
            result = build(config, threads=args.threads, workers=args.workers)
            cpu.append(time.process_time() - cpu_started)
            if not result.ok:
                raise SystemExit("\n".join(result.summary_lines()))
            timings.append(result.seconds)
            for m in result.models:
                per_model.setdefault(m.model, []).append(m.seconds)
                per_model_cpu.setdefault(m.model, []).append(m.cpu_seconds)
            for phase, seconds in result.phases.items():
                phases.setdefault(phase, []).append(seconds)
            for step, seconds in result.cpu.items():
                step_cpu.setdefault(step, []).append(seconds)
            steps = ", ".join(f"{k} {v:.1f}s" for k, v in result.phases.items())
            spent = ", ".join(f"{k} {v:.1f}s" for k, v in result.cpu.items())
            print(
                f"run {run}: build {result.seconds:.1f}s, cpu {cpu[-1]:.1f}s "
                f"(wall: {steps}; cpu: {spent}; {_machine()})"
            )
        rows = {m.model: m.rows for m in result.models if m.rows is not None}
        print(
            f"marts: {rows['marts.deliverables']:,} deliverables, "
            f"{rows['marts.shotlist_coverage']:,} coverage rows, "
            f"{rows['marts.guideline_alerts']:,} alerts"
        )
        medians = {k: statistics.median(v) for k, v in per_model.items()}
        cpu_medians = {k: statistics.median(v) for k, v in per_model_cpu.items()}
        print(f"slowest models by CPU (median of {args.runs}; wall, cpu):")
        for model, seconds in sorted(cpu_medians.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"  {medians[model]:6.2f}s {seconds:6.2f}s  {model}")
        steps = ", ".join(f"{k} {statistics.median(v):.1f}s" for k, v in phases.items())
        steps += "; cpu: " + ", ".join(
            f"{k} {statistics.median(v):.1f}s" for k, v in step_cpu.items()
        )
        size = analytics.stat().st_size / 1e6
        print(
            f"median build over {args.runs} runs (rebuilds): {statistics.median(timings):.1f}s "
            f"(runs {', '.join(f'{t:.1f}' for t in timings)} s; median cpu "
            f"{statistics.median(cpu):.1f}s; {steps}; "
            f"analytics file {size:.0f} MB)"
        )
        if args.compare:
            print(f"marts against {args.compare}:")
            print("\n".join(compare_marts(analytics, args.compare.resolve())))


if __name__ == "__main__":
    main()
