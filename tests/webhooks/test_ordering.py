"""Late and repeated messages: whatever the order, the newest record (by date_mod) stays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from etl.config import Config
from etl.simulators.grandshooting import Catalog
from etl.webhooks.drain import drain_pending
from etl.webhooks.service import Listener
from tests.sync.helpers import landed
from tests.webhooks.helpers import SECRET, spool_rows, warehouse

ACCOUNT = 4242


@pytest.fixture
def url(synced: Config, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SHOTLIST_WEBHOOK_SECRET", SECRET)
    running = Listener(synced, "127.0.0.1", 0, drain=False)
    yield f"http://127.0.0.1:{running.server.port}/hooks/grandshooting/{SECRET}"
    running.close()


def version(record: dict[str, Any], hour: int, **fields: Any) -> dict[str, Any]:
    return {**record, **fields, "date_mod": f"2026-11-21T{hour:02d}:00:00Z"}


def send(url: str, topic: str, *records: dict[str, Any]) -> bool:
    key = "picture_id" if topic.startswith("pictures") else "reference_id"
    body = {
        "account_id": ACCOUNT,
        "topic": topic,
        "type": key.split("_")[0],
        "ids": [r[key] for r in records],
        "data": {str(r[key]): r for r in records},
    }
    answer = httpx.post(url, content=json.dumps(body).encode(), timeout=10)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["stored"])


def stored(config: Config, resource: str, key: int) -> tuple[dict[str, Any] | None, bool]:
    con = warehouse(config)
    try:
        live, gone = landed(con, resource), landed(con, resource, deleted=True)
    finally:
        con.close()
    return (live.get(key) or gone.get(key)), key in gone


def test_ordering_late_and_repeated_messages_keep_the_newest(
    url: str, synced: Config, catalog: Catalog
) -> None:
    a, b, c = catalog.records("pictures")[:3]
    a1, a2 = version(a, 10, picturestatus=40), version(a, 11, picturestatus=50)
    # Out of order within one batch, then a late copy in a later batch.
    assert send(url, "pictures/update", a2)
    assert send(url, "pictures/update", a1)
    assert drain_pending(synced).messages == 2
    assert stored(synced, "pictures", a["picture_id"]) == (a2, False)
    assert send(url, "pictures/update", version(a, 9, picturestatus=10))
    late = drain_pending(synced)
    assert [(x.received, x.landed, x.stale) for x in late.applied] == [(1, 0, 1)]
    assert stored(synced, "pictures", a["picture_id"]) == (a2, False)

    # The vendor's retry of a stored message is stored once; a repeat that follows another
    # message is stored again, and changes nothing.
    b1 = version(b, 12, picturestatus=31)
    assert send(url, "pictures/update", b1)
    assert not send(url, "pictures/update", b1)
    assert send(url, "pictures/update", a2)
    assert send(url, "pictures/update", b1)
    assert drain_pending(synced).messages == 3
    assert stored(synced, "pictures", b["picture_id"]) == (b1, False)

    # A deletion wins over an older update and over a late repeat of the same date_mod.
    c1 = version(c, 13, picturestatus=50)
    assert send(url, "pictures/update", c1)
    assert send(url, "pictures/delete", c1)
    assert send(url, "pictures/update", version(c, 12, picturestatus=10))
    assert send(url, "pictures/update", c1)
    drain_pending(synced)
    assert stored(synced, "pictures", c["picture_id"]) == (c1, True)

    # References follow the same rule.
    r = catalog.records("references")[0]
    r1, r2 = version(r, 10, comment="first"), version(r, 11, comment="second")
    assert send(url, "references/update", r2)
    assert send(url, "references/update", r1)
    drain_pending(synced)
    assert stored(synced, "references", r["reference_id"]) == (r2, False)
    assert {row[4] for row in spool_rows(synced)} == {"applied"}
