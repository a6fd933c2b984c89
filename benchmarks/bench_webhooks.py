"""Benchmark: webhook messages acknowledged per second, and the delay from a change in the
simulator to its row in the warehouse.

`shotlist listen` runs in its own process (receiver, spool, drainer every 2 s), on loopback.

1. Throughput: `--clients` concurrent senders (one per topic/account in flight) post
   `--messages` prebuilt messages of 50 pictures each; prints acknowledged messages/s while the
   drainer lands them, then how long the drain took.
2. Delay: the simulator's webhook sender with the vendor's 10 s batching delivers
   `--changes-per-second` picture changes for `--seconds`; prints the median and p95 delay from
   the change to the row in the warehouse (its `_synced_at`), and from delivery to the row.

    .venv/bin/python benchmarks/bench_webhooks.py
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx

from etl.simulators.grandshooting import CatalogSpec, generate_catalog
from etl.simulators.grandshooting.webhooks import DeliveryPolicy, WebhookSender

SECRET = "bench-secret-0123456789abcdef"
REPO = Path(__file__).resolve().parents[1]


def write_config(folder: Path) -> Path:
    path = folder / "shotlist.toml"
    path.write_text(
        "\n".join(
            [
                "[warehouse]",
                'path = "warehouse.duckdb"',
                "[sources.grandshooting]",
                'base_url = "http://127.0.0.1:9/v3"',
                "[webhooks]",
                f"drain_every = {os.environ.get('BENCH_DRAIN_EVERY', '2.0')}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def start_listen(config: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "SHOTLIST_WEBHOOK_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", "--config", str(config), "listen", "--port", "0"],
        env=env,
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        raise RuntimeError(f"listen did not start: {line!r}")
    port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
    return process, f"http://127.0.0.1:{port}/hooks/grandshooting/{SECRET}"


def stop_listen(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=300)


def pending(folder: Path) -> int:
    con = sqlite3.connect(folder / "webhooks.sqlite")
    try:
        row = con.execute("select count(*) from messages where applied_at is null").fetchone()
    finally:
        con.close()
    return int(row[0])


def wait_drained(folder: Path, timeout: float) -> float:
    started = time.monotonic()
    while pending(folder):
        if time.monotonic() - started > timeout:
            raise RuntimeError("the drainer did not finish in time")
        time.sleep(0.2)
    return time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def throughput(folder: Path, messages: int, clients: int, references: int) -> None:
    catalog = generate_catalog(CatalogSpec(references=references, seed=3))
    pictures = catalog.records("pictures")
    base = datetime(2026, 12, 1, tzinfo=UTC)
    bodies: list[bytes] = []
    for i in range(messages):
        start = (i * 50) % max(len(pictures) - 50, 1)
        stamp = (base + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        chunk = [{**p, "date_mod": stamp} for p in pictures[start : start + 50]]
        body = {
            "account_id": 1,
            "topic": "pictures/update",
            "type": "picture",
            "ids": [p["picture_id"] for p in chunk],
            "data": {str(p["picture_id"]): p for p in chunk},
        }
        bodies.append(json.dumps(body).encode())
    process, url = start_listen(write_config(folder))
    acked, latencies, lock = [0], [], threading.Lock()

    def send(part: list[bytes]) -> None:
        with httpx.Client(timeout=30) as client:
            for body in part:
                t = time.perf_counter()
                answer = client.post(url, content=body)
                with lock:
                    latencies.append(time.perf_counter() - t)
                    acked[0] += answer.status_code == 200

    threads = [threading.Thread(target=send, args=(bodies[k::clients],)) for k in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    drain_left = wait_drained(folder, 600)
    stop_listen(process)
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    landed = con.execute("select sum(rows) from meta.sync_runs where mode = 'webhook'").fetchone()
    con.close()
    print(
        f"throughput: {acked[0]}/{messages} messages acknowledged in {elapsed:.1f}s = "
        f"{acked[0] / elapsed:.0f} msg/s ({acked[0] * 50 / elapsed:.0f} records/s), "
        f"{clients} concurrent senders, drainer running"
    )
    print(
        f"  ack latency median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms; drain finished "
        f"{drain_left:.1f}s after the last ack; {landed[0] if landed else 0} rows landed"
    )


def delay(folder: Path, seconds: float, per_second: float, interval: float) -> None:
    catalog = generate_catalog(CatalogSpec(references=2000, seed=5))
    process, url = start_listen(write_config(folder))
    ids = [p["picture_id"] for p in catalog.records("pictures")]
    changed_at: dict[int, float] = {}
    policy = DeliveryPolicy(interval=interval)
    with WebhookSender(url, catalog, policy) as sender:
        step, cursor, started = 0.25, 0, time.time()
        per_step = max(1, round(per_second * step))
        while time.time() - started < seconds and cursor + per_step <= len(ids):
            # Each picture changes once, so its row's `_synced_at` dates this change.
            batch = ids[cursor : cursor + per_step]
            cursor += per_step
            catalog.advance(seconds=1)
            catalog.update_pictures(batch, picturestatus=50)
            now = time.time()
            changed_at.update(dict.fromkeys(batch, now))
            time.sleep(step)
        deadline = time.time() + interval * 3 + 30
        while (sender.pending() or not _all_sent(sender, changed_at)) and time.time() < deadline:
            time.sleep(0.2)
        answered = {i: d.answered_at for d in sender.deliveries if d.ok for i in d.ids}
    wait_drained(folder, 120)
    stop_listen(process)
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "select picture_id, epoch(_synced_at) from raw.grandshooting__pictures"
    ).fetchall()
    con.close()
    landed = {int(k): float(v) for k, v in rows}
    to_row = [landed[i] - t for i, t in changed_at.items() if i in landed]
    after_delivery = [landed[i] - answered[i] for i in changed_at if i in landed and i in answered]
    missing = len(changed_at) - len(to_row)
    print(
        f"delay: {len(changed_at)} changes over {seconds:.0f}s, webhooks every {interval:g}s, "
        f"drain every 2s; {missing} not landed"
    )
    print(
        f"  change -> warehouse: median {statistics.median(to_row):.1f}s, "
        f"p95 {percentile(to_row, 0.95):.1f}s"
    )
    print(
        f"  delivery -> warehouse: median {statistics.median(after_delivery):.1f}s, "
        f"p95 {percentile(after_delivery, 0.95):.1f}s"
    )


def _all_sent(sender: WebhookSender, changed: dict[int, Any]) -> bool:
    sent = {i for d in sender.deliveries if d.ok for i in d.ids}
    return set(changed) <= sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--references", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--changes-per-second", type=float, default=40.0)
    parser.add_argument("--interval", type=float, default=10.0, help="the vendor's batching")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as first:
        throughput(Path(first), args.messages, args.clients, args.references)
    with tempfile.TemporaryDirectory() as second:
        delay(Path(second), args.seconds, args.changes_per_second, args.interval)


if __name__ == "__main__":
    main()
