"""Syncs running while events drain: the lock interleaves them and the data ends exact."""

from __future__ import annotations

import threading

from etl.config import Config
from etl.errors import WarehouseLockedError
from etl.simulators.grandshooting import Catalog
from etl.simulators.grandshooting.webhooks import WebhookSender
from etl.sync import sync_sources
from etl.workspace import locked
from tests.sync.helpers import landed
from tests.webhooks.helpers import (
    FAST,
    ListenProcess,
    assert_same,
    pending_count,
    sender_idle,
    wait_until,
    warehouse,
)

ROUNDS = 12


def sync_when_free(config: Config) -> int:
    """`shotlist sync` refuses while the drainer holds the lock: try again, as cron would."""
    refused = 0
    while True:
        try:
            with locked(config, "sync"):
                result = sync_sources(config, ["grandshooting"])
        except WarehouseLockedError:
            refused += 1
            continue
        assert {r.status for r in result.results} <= {"ok", "warning"}, [
            (r.resource, r.error) for r in result.results
        ]
        return refused


def test_with_sync_interleaves_and_ends_exact(
    synced: Config, config_path, catalog: Catalog
) -> None:
    listener = ListenProcess(config_path)
    # Pictures the first sync landed, deleted one per round.
    initial = [p["picture_id"] for p in catalog.records("pictures")]
    deleted: list[int] = []
    with WebhookSender(listener.url, catalog, FAST) as sender:
        for n in range(ROUNDS):
            # A sync runs while this round's changes are delivered and spooled: the drainer
            # finds the warehouse locked, keeps them, and lands them once the sync is done.
            syncing = threading.Thread(target=sync_when_free, args=(synced,))
            syncing.start()
            catalog.advance(minutes=1)
            ids = [p["picture_id"] for p in catalog.records("pictures")]
            catalog.update_pictures(ids[n * 5 : n * 5 + 5], picturestatus=50 + n % 2)
            catalog.add_pictures(2)
            catalog.delete_pictures([initial[-1 - n]])
            deleted.append(initial[-1 - n])
            refs = [r["reference_id"] for r in catalog.records("references")]
            catalog.update_references(refs[n : n + 2], comment=f"round {n}")
            wait_until(lambda: sender_idle(sender), what="deliveries")
            syncing.join()
            wait_until(lambda: pending_count(synced) == 0, what="the drain")
    listener.stop_cleanly()
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
        assert sorted(landed(con, "pictures", deleted=True)) == sorted(deleted)
        modes = dict(
            con.execute(
                "select mode, count(*) from meta.sync_runs where resource = 'pictures' group by 1"
            ).fetchall()
        )
        # Webhook batches landed between syncs, not only after the last one.
        between = con.execute(
            """select count(*) from meta.sync_runs w
               where w.mode = 'webhook' and w.started_at < (
                   select max(started_at) from meta.sync_runs where mode = 'incremental')
                 and w.started_at > (
                   select min(started_at) from meta.sync_runs where mode = 'incremental')"""
        ).fetchone()
        interrupted = con.execute(
            "select count(*) from meta.sync_runs where status not in ('ok', 'warning')"
        ).fetchone()
    finally:
        con.close()
    assert modes["webhook"] >= ROUNDS - 1 and modes["incremental"] == ROUNDS
    assert interrupted == (0,)
    assert between is not None and between[0] >= 1
