"""The simulator's deliveries to `shotlist listen` over loopback land the exact records."""

from __future__ import annotations

from etl.config import Config
from etl.simulators.grandshooting import Catalog
from etl.simulators.grandshooting.webhooks import WebhookSender
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


def test_delivery_create_update_delete_land_exact_records(
    synced: Config, config_path, catalog: Catalog
) -> None:
    listener = ListenProcess(config_path)
    with WebhookSender(listener.url, catalog, FAST) as sender:
        catalog.advance(hours=1)
        pictures = [p["picture_id"] for p in catalog.records("pictures")]
        references = [r["reference_id"] for r in catalog.records("references")]
        catalog.update_pictures(pictures[:60], picturestatus=50)
        catalog.update_references(references[:3], comment="Colour checked")
        added = catalog.add_pictures(7)
        new_refs = catalog.add_references(2)
        catalog.delete_pictures(pictures[-4:])
        catalog.delete_references(references[-1:])
        wait_until(lambda: sender_idle(sender) and sender.deliveries, what="deliveries")
        wait_until(lambda: pending_count(synced) == 0, what="the drain")
    listener.stop_cleanly()
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
        gone = landed(con, "pictures", deleted=True)
        assert sorted(gone) == sorted(pictures[-4:])
        assert sorted(landed(con, "references", deleted=True)) == references[-1:]
        live = landed(con, "pictures")
        assert all(live[p]["picturestatus"] == 50 for p in pictures[:60])
        assert set(added) <= live.keys()
        assert set(new_refs) <= landed(con, "references").keys()
        runs = con.execute(
            "select resource, sum(rows), min(status), max(status) from meta.sync_runs "
            "where mode = 'webhook' group by resource order by resource"
        ).fetchall()
    finally:
        con.close()
    # 60 updated + 7 created + 4 deleted pictures; 3 updated + 2 created + 1 deleted references.
    assert runs == [("pictures", 71, "ok", "ok"), ("references", 6, "ok", "ok")]
    topics = {d.topic for d in sender.deliveries}
    assert topics == {
        "pictures/update", "pictures/create", "pictures/delete",
        "references/update", "references/create", "references/delete",
    }  # fmt: skip
    assert max(len(d.ids) for d in sender.deliveries) == 50
