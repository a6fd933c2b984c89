"""The catalog's change hook: every change, `advance_days` and `/_sim/advance` included, is told
to subscribers (the webhook sender), and subscribing changes nothing the simulator serves."""

from __future__ import annotations

from typing import Any

import httpx

from etl.config import Config
from etl.simulators.grandshooting import Catalog, CatalogSpec, generate_catalog
from etl.simulators.grandshooting.webhooks import WebhookSender
from tests.sync.helpers import TOKEN
from tests.webhooks.helpers import (
    FAST,
    ListenProcess,
    assert_same,
    delivered_and_drained,
    warehouse,
)

SPEC = CatalogSpec(references=30, seed=11, accounts=(0, 7))


def told(catalog: Catalog) -> list[tuple[int, str, list[int]]]:
    """Subscribe a recorder: (api account, topic, keys) per call."""
    calls: list[tuple[int, str, list[int]]] = []

    def record(account: int, topic: str, rows: list[dict[str, Any]]) -> None:
        key = "picture_id" if topic.startswith("pictures") else "reference_id"
        calls.append((account, topic, [r[key] for r in rows]))

    catalog.subscribe(record)
    return calls


def test_advance_days_tells_creates_and_updates_and_serves_the_same_rows() -> None:
    catalog, untouched = generate_catalog(SPEC), generate_catalog(SPEC)
    before = {
        (a, r): {x[f"{r[:-1]}_id"] for x in catalog.records(r, a)}
        for a in SPEC.accounts
        for r in ("pictures", "references")
    }
    calls = told(catalog)
    progress = catalog.advance_days(2)
    untouched.advance_days(2)
    for account in SPEC.accounts:
        api = catalog.account(account).api_account_id
        for resource in ("pictures", "references"):
            assert catalog.records(resource, account) == untouched.records(resource, account)
            by_topic = {t: ids for a, t, ids in calls if a == api and t.startswith(resource)}
            changed = getattr(progress[account], resource)
            created = changed - before[(account, resource)]
            assert set(by_topic.get(f"{resource}/create", [])) == created
            assert set(by_topic.get(f"{resource}/update", [])) == changed - created
            assert created or resource == "references"
    assert len(calls) == len({(a, t) for a, t, _ in calls})  # one call per account and topic


def test_mutations_tell_the_rows_as_they_are_or_were() -> None:
    catalog = generate_catalog(SPEC)
    calls = told(catalog)
    api = catalog.account(7).api_account_id
    first, second = (p["picture_id"] for p in catalog.records("pictures", 7)[:2])
    catalog.update_pictures([first], account_id=7, picturestatus=50)
    catalog.delete_pictures([second], account_id=7)
    added = catalog.add_pictures(2, account_id=7)
    reference = catalog.add_references(1)
    assert calls == [
        (api, "pictures/update", [first]),
        (api, "pictures/delete", [second]),
        (api, "pictures/create", added),
        (catalog.account(0).api_account_id, "references/create", reference),
    ]


def test_sim_advance_endpoint_reaches_the_warehouse(
    synced: Config, config_path, catalog: Catalog, simulator: Any
) -> None:
    listener = ListenProcess(config_path)
    root = simulator.base_url.removesuffix(simulator.base_path)
    with WebhookSender(listener.url, catalog, FAST) as sender:
        answer = httpx.post(
            f"{root}/_sim/advance",
            params={"days": 1},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        delivered_and_drained(sender, synced)
    listener.stop_cleanly()
    assert {d.topic for d in sender.deliveries} >= {"pictures/create", "pictures/update"}
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
    finally:
        con.close()
