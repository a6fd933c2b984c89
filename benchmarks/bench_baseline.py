"""Benchmark: a full sync of this tree against another checkout's, interleaved on one machine.

Issue 10's goals are ratios to the code it was measured on ("3x less CPU per record"), and
machines differ by more than the gains: the same code ran at 55 us per record on one 2-core
machine and 68 on another. So both trees sync the same simulator (this tree's, in its own
process, rate limit off), one after the other, each in a fresh process of its own tree's
interpreter (`<checkout>/.venv/bin/python`, which `make install` there creates), `--repeat`
times. Each run reports its CPU seconds (every thread) and peak RSS; the bench prints each
run, the medians and this tree's figures as a share of the baseline's:

    git worktree add /tmp/issue-code 0d43161 && make -C /tmp/issue-code install
    .venv/bin/python benchmarks/bench_baseline.py --baseline /tmp/issue-code --repeat 3

The child is this tree's `bench_sync.py --child-sync`, run from the baseline's folder with its
interpreter, so the baseline needs the engine entry points that script imports.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path
from typing import Any

from bench_sync import measured_sync, start_simulator, thread_split

HERE = Path(__file__).resolve().parent.parent


def child_run(tree: Path, url: str) -> dict[str, Any]:
    """One full sync by `tree`'s code, in a fresh process of its interpreter."""
    python = tree / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python}: no interpreter; run `make install` in {tree} first")
    return measured_sync(url, str(python), tree)


def describe(run: dict[str, Any]) -> str:
    rows = run["rows"]
    return (
        f"{rows:,.0f} rows in {run['seconds']:.1f}s = {rows / run['seconds']:,.0f} records/s; "
        f"CPU {1e6 * run['cpu'] / rows:.1f} us per record; peak RSS {run['peak_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--references", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this tree": HERE}
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
        f"baseline {trees['baseline']}"
    )
    process, url = start_simulator(args.references, 0)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    try:
        for i in range(args.repeat):
            for name, tree in trees.items():
                run = child_run(tree, url)
                runs[name].append(run)
                print(f"  run {i + 1}, {name}: {describe(run)}")
    finally:
        process.terminate()
        process.wait()
    medians = {
        name: {
            "cpu": statistics.median(1e6 * r["cpu"] / r["rows"] for r in done),
            "rate": statistics.median(r["rows"] / r["seconds"] for r in done),
            "peak": statistics.median(r["peak_mb"] for r in done),
        }
        for name, done in runs.items()
    }
    for name, median in medians.items():
        print(
            f"{name}: median CPU {median['cpu']:.1f} us per record, "
            f"{median['rate']:,.0f} records/s, peak RSS {median['peak']:.0f} MB; "
            f"by thread: {thread_split(runs[name])}"
        )
    base, this = medians["baseline"], medians["this tree"]
    print(
        f"this tree against the baseline: CPU per record x{this['cpu'] / base['cpu']:.2f} "
        f"({base['cpu'] / this['cpu']:.1f}x less), records/s x{this['rate'] / base['rate']:.2f}, "
        f"peak RSS x{this['peak'] / base['peak']:.2f} (load average {os.getloadavg()[0]:.1f} "
        "at the end)"
    )


if __name__ == "__main__":
    main()
