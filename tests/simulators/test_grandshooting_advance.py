"""Simulated days on the Grand Shooting catalog: what moves, how it is dated, and that an
incremental sync lands exactly the day's changes."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from etl.simulators.grandshooting import (
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    generate_catalog,
)
from etl.simulators.grandshooting.generate import iso
from etl.simulators.grandshooting.statuses import BenchStep, PictureStatus
from etl.warehouse import duckdb_file as wh
from tests.sync.helpers import TOKEN, assert_exact, run, runtime

# Moves that change a picture's own status (the others add a copy on the next bench).
STATUS_MOVES = {
    "reshoot_requested": (PictureStatus.NOT_SELECTED, PictureStatus.RESHOOT),
    "reshot": (PictureStatus.RESHOOT, PictureStatus.IGNORED),
    "reworked": (PictureStatus.REFUSED_BY_RETOUCHER, PictureStatus.SELECTED),
    "validated": (PictureStatus.FOR_APPROVAL, PictureStatus.VALIDATED),
    "refused": (PictureStatus.FOR_APPROVAL, PictureStatus.REFUSED),
    "resubmitted": (PictureStatus.REFUSED, PictureStatus.FOR_APPROVAL),
    "broadcast_error": (PictureStatus.VALIDATED, PictureStatus.BROADCAST_ERROR),
}


def _by_id(catalog: Catalog, resource: str, key: str) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in catalog.records(resource)}


def _catalog() -> Catalog:
    return generate_catalog(CatalogSpec(references=150, seed=5))


def test_advance_day_counts_are_the_status_changes_of_the_rows() -> None:
    catalog = _catalog()
    before = _by_id(catalog, "pictures", "picture_id")
    references_before = _by_id(catalog, "references", "reference_id")
    start = catalog.clock
    progress = catalog.advance_days(1)[0]
    after = _by_id(catalog, "pictures", "picture_id")
    assert catalog.clock == start + timedelta(days=1)
    changed = {k for k in before if before[k] != after[k]}
    added = after.keys() - before.keys()
    assert changed | added == progress.pictures
    assert before.keys() <= after.keys()
    transitions: dict[tuple[int, int], int] = {}
    for key in changed:
        pair = (before[key]["picturestatus"], after[key]["picturestatus"])
        if pair[0] != pair[1]:
            transitions[pair] = transitions.get(pair, 0) + 1
    for name, pair in STATUS_MOVES.items():
        assert transitions.get(pair, 0) == progress.counts[name], name
    broadcast = sum(n for (old, new), n in transitions.items() if new == PictureStatus.BROADCAST)
    assert broadcast == progress.counts["broadcast"]
    assert sum(transitions.values()) == sum(
        progress.counts[n] for n in (*STATUS_MOVES, "broadcast")
    )
    copies = [after[k] for k in added if after[k]["benchsteptype"] != BenchStep.LIVE]
    assert len(copies) == progress.counts["sent_to_retouch"] + progress.counts["sent_on"]
    for copy in copies:
        assert after[copy["parent_id"]]["child_ids"] == [copy["picture_id"]]
    validated = [after[k] for k in changed if after[k]["picturestatus"] == PictureStatus.VALIDATED]
    assert all(p["validation_date"] == p["date_mod"] for p in validated)
    new_references = catalog.records("references")
    assert len(new_references) - len(references_before) == progress.counts["new_references"]
    assert progress.counts["validated"] > 0 and progress.counts["sent_on"] > 0
    # Every change is dated inside the day, after everything generated; the rest is untouched.
    for key in progress.pictures:
        assert iso(start) < after[key]["date_mod"] < iso(catalog.clock)
    assert all(before[k] == after[k] for k in before.keys() - progress.pictures)


def test_advance_days_is_deterministic_and_rng_driven() -> None:
    first, second, other = _catalog(), _catalog(), _catalog()
    first.advance_days(3)
    second.advance_days(2)
    second.advance_days(1)
    other.advance_days(3, rng=random.Random(1))
    assert first.records("pictures") == second.records("pictures")
    assert first.records("references") == second.records("references")
    assert first.records("pictures") != other.records("pictures")
    assert first.clock == other.clock


def test_incremental_sync_after_advancing_lands_exactly_the_changes(tmp_path: Path) -> None:
    catalog = generate_catalog(CatalogSpec(references=60, seed=7))
    con = wh.connect(tmp_path / "warehouse.duckdb")
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with sim.serve() as server:
        rt = runtime(server.base_url)
        assert run(con, rt).ok
        progress = catalog.advance_days(2)[0]
        second = run(con, rt)
    assert second.ok
    assert_exact(con, catalog)
    reread = {
        row[0]
        for row in con.execute(
            "select picture_id from raw.grandshooting__pictures where _run_id = ?",
            [second.run_id],
        ).fetchall()
    }
    assert progress.pictures <= reread
    assert len(reread) < len(catalog.records("pictures"))
    watermark, _ = wh.read_state(con, "grandshooting", "0", "pictures")
    assert iso(watermark) == max(p["date_mod"] for p in catalog.records("pictures"))
    con.close()


def test_control_endpoint_advances_the_clock_outside_the_vendor_api() -> None:
    catalog = generate_catalog(CatalogSpec(references=40, seed=3))
    start = catalog.clock
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    root = None
    with sim.serve() as server:
        root = server.base_url.removesuffix(sim.base_path)
        advanced = httpx.post(f"{root}/_sim/advance", params={"days": 2}, headers=headers)
        anonymous = httpx.post(f"{root}/_sim/advance", params={"days": 2})
        wrong_method = httpx.get(f"{root}/_sim/advance", headers=headers)
        bad_days = httpx.post(f"{root}/_sim/advance", params={"days": "two"}, headers=headers)
        vendor_write = httpx.post(f"{server.base_url}/picture", headers=headers)
    assert advanced.status_code == 200
    body = advanced.json()
    assert body["clock"] == iso(start + timedelta(days=2)) == iso(catalog.clock)
    assert body["changes"]["0"]["new_references"] >= 2
    assert anonymous.status_code == 401
    assert wrong_method.status_code == 405
    assert bad_days.status_code == 400
    assert bad_days.json() == {"errors": [{"message": "days: 'two' is not a whole number"}]}
    assert vendor_write.status_code == 405
