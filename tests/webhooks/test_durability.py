"""A 200 means stored: kill -9 around the commit, the vendor's retry delivers, nothing doubled."""

from __future__ import annotations

import signal

import httpx
import pytest

from etl.config import Config
from etl.simulators.grandshooting import Catalog
from etl.simulators.grandshooting.webhooks import DeliveryPolicy, WebhookSender
from etl.webhooks.spool import CRASH_ENV
from tests.sync.helpers import landed
from tests.webhooks.helpers import (
    ListenProcess,
    assert_same,
    pending_count,
    sender_idle,
    spool_rows,
    wait_until,
    warehouse,
)

# Retries wait long enough for the test to restart the receiver, then `nudge` starts them.
PATIENT = DeliveryPolicy(interval=0.05, retry_delays=(120.0, 120.0), timeout=5)


@pytest.mark.parametrize("point", ["before-commit", "after-commit"])
def test_durability_kill_around_commit_loses_and_doubles_nothing(
    synced: Config, config_path, catalog: Catalog, point: str
) -> None:
    doomed = ListenProcess(config_path, **{CRASH_ENV: point})
    with WebhookSender(doomed.url, catalog, PATIENT) as sender:
        catalog.advance(hours=1)
        changed = [p["picture_id"] for p in catalog.records("pictures")[:20]]
        catalog.update_pictures(changed, picturestatus=40)
        assert sender.wait_for(lambda ds: len(ds) == 1, timeout=60)
        assert doomed.wait_dead() == -signal.SIGKILL
        first = sender.deliveries[0]
        assert (first.attempt, first.ok, first.ids) == (1, False, tuple(changed))
        stored_by_the_dead = len(spool_rows(synced))
        assert stored_by_the_dead == (1 if point == "after-commit" else 0)

        again = ListenProcess(config_path, port=doomed.port)
        sender.nudge()
        assert sender.wait_for(lambda ds: any(d.ok for d in ds), timeout=60)
        wait_until(lambda: sender_idle(sender), what="the retry")
        wait_until(lambda: pending_count(synced) == 0, what="the drain")
    again.stop_cleanly()
    tries = [(d.attempt, d.ok) for d in sender.deliveries]
    assert tries == [(1, False), (2, True)]
    rows = spool_rows(synced)
    assert [(topic, outcome) for _, topic, _, _, outcome in rows] == [
        ("pictures/update", "applied")
    ]
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
        statuses = con.execute(
            "select picturestatus, count(*) from raw.grandshooting__pictures "
            "where list_contains(?, picture_id) group by 1",
            [changed],
        ).fetchall()
    finally:
        con.close()
    assert statuses == [(40, 20)]


def test_durability_ctrl_c_to_the_group_lands_what_was_acknowledged(
    synced: Config, config_path, catalog: Catalog
) -> None:
    listener = ListenProcess(config_path)
    a = catalog.records("pictures")[0]
    record = {**a, "picturestatus": 55, "date_mod": "2026-11-22T08:00:00Z"}
    body = {
        "account_id": 1,
        "topic": "pictures/update",
        "ids": [a["picture_id"]],
        "data": {str(a["picture_id"]): record},
    }
    assert httpx.post(listener.url, json=body, timeout=10).status_code == 200
    listener.interrupt_group()
    code, out, log = listener.stop()
    assert code == 0, log
    assert out.splitlines()[-1] == "stopped; drained 1 messages, 1 rows landed", log
    assert pending_count(synced) == 0
    con = warehouse(synced)
    try:
        assert landed(con, "pictures")[a["picture_id"]] == record
    finally:
        con.close()
