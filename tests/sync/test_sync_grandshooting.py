"""Syncing the Grand Shooting simulator over loopback HTTP: exact, incremental, robust."""

from __future__ import annotations

import dataclasses
import socket
from datetime import datetime, timedelta

import duckdb

from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse import duckdb_file as wh
from tests.sync.helpers import (
    TOKEN,
    assert_exact,
    landed,
    run,
    runtime,
    served,
    with_ceiling,
)


def picture_requests(sim: object) -> list[object]:
    return [r for r in sim.requests if r.path.endswith("/picture")]  # type: ignore[attr-defined]


def test_sync_full_equals_simulator(simulator, catalog, warehouse) -> None:
    result = run(warehouse, runtime(simulator.base_url))
    assert result.ok, [(r.resource, r.error) for r in result.results]
    assert_exact(warehouse, catalog)
    assert {r.resource: r.status for r in result.results} == {
        r.name: "ok" for r in SOURCE.resources
    }
    runs = warehouse.execute(
        "select resource, status, rows from meta.sync_runs where run_id = ? order by resource",
        [result.run_id],
    ).fetchall()
    assert len(runs) == len(SOURCE.resources)
    pictures = [row for row in runs if row[0] == "pictures"][0]
    assert pictures == ("pictures", "ok", len(catalog.records("pictures")))


def test_sync_pages_by_key_ranges_beyond_the_ceiling(simulator, catalog, warehouse) -> None:
    # With a ceiling of 300 rows, this catalog's pictures must be read by key ranges.
    source = with_ceiling(SOURCE, 300)
    result = run(warehouse, runtime(simulator.base_url, source=source))
    assert result.ok
    assert_exact(warehouse, catalog)
    keyed = [
        r
        for r in picture_requests(simulator)
        if ("picture_id", "gte:") in [(k, v[:4]) for k, v in r.query]
    ]
    assert keyed, "expected key-range requests"
    offsets = [int(dict(r.headers).get("offset", 0)) for r in picture_requests(simulator)]
    assert max(offsets) <= 300


def test_sync_by_key_ranges_into_an_empty_warehouse_lands_each_row_once(
    simulator, catalog, warehouse
) -> None:
    # Into an empty scope, key-range pages are inserted without a delete first; an API that
    # repeats the previous page's last row (gt: read as gte:) must not land it twice. Batches
    # of a page or two: the repeated row lands in a later batch than its first copy.
    simulator.faults.gt_as_gte = True
    rt = runtime(simulator.base_url, source=with_ceiling(SOURCE, 300), batch_rows=100)
    result = run(warehouse, rt)
    assert result.ok, [(r.resource, r.error) for r in result.results]
    repeated = [
        r
        for r in picture_requests(simulator)
        if any(k == "picture_id" and v.startswith("gt:") for k, v in r.query)
    ]
    assert repeated, "expected picture pages read past a key (gt:)"
    assert_exact(warehouse, catalog)
    rows, keys = warehouse.execute(
        "select count(*), count(distinct picture_id) from raw.grandshooting__pictures"
    ).fetchone()
    assert rows == keys == len(catalog.records("pictures"))


def test_sync_incremental_reads_only_the_watermark_day(simulator, catalog, warehouse) -> None:
    rt = runtime(simulator.base_url)
    assert run(warehouse, rt).ok
    watermark, _ = wh.read_state(warehouse, "grandshooting", "0", "pictures")
    assert watermark == max(
        datetime.fromisoformat(p["date_mod"].replace("Z", "+00:00")).replace(tzinfo=None)
        for p in catalog.records("pictures")
    )
    catalog.advance(days=3)
    changed = [p["picture_id"] for p in catalog.records("pictures")[:5]]
    catalog.update_pictures(changed, picturestatus=50)
    added = catalog.add_pictures(4)
    simulator.requests.clear()
    second = run(warehouse, rt)
    assert second.ok
    assert_exact(warehouse, catalog)
    since = (watermark - timedelta(days=1)).date()
    filters = {v for r in picture_requests(simulator) for k, v in r.query if k == "date_mod"}
    assert filters == {f"gte:{since:%Y-%m-%d}"}
    reread = {
        row[0]
        for row in warehouse.execute(
            "select picture_id from raw.grandshooting__pictures where _run_id = ?",
            [second.run_id],
        ).fetchall()
    }
    expected = {
        p["picture_id"]
        for p in catalog.records("pictures")
        if p["date_mod"][:10] >= f"{since:%Y-%m-%d}"
    }
    assert reread == expected
    assert set(changed) | set(added) <= reread
    assert len(reread) < len(catalog.records("pictures"))


def look_reads(sim: object) -> set[int]:
    """The looks whose references a sync requested."""
    return {
        int(r.path.split("/")[-2])
        for r in sim.requests  # type: ignore[attr-defined]
        if r.path.endswith("/reference") and "/style/look/" in r.path
    }


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def test_sync_incremental_rereads_only_looks_that_can_have_changed(warehouse) -> None:
    catalog = generate_catalog(CatalogSpec(references=300, seed=7))
    for look in catalog.account().looks[:2]:
        look["status"] = "DRAFT"  # looks still being put together
    simulator = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with simulator.serve(host="127.0.0.1", port=0) as server:
        incremental_looks(simulator, catalog, warehouse, runtime(server.base_url))


def incremental_looks(simulator, catalog, warehouse, rt) -> None:
    simulator.requests.clear()
    assert run(warehouse, rt).ok
    everything = {look["look_id"] for look in catalog.records("looks")}
    assert look_reads(simulator) == everything
    drafts = {look["look_id"] for look in catalog.records("looks") if look["status"] != "COMPLETED"}
    assert drafts and drafts != everything
    # What the first read saw: pictures at or after its watermark count as moved next time.
    watermark = max(stamp(p["date_mod"]) for p in catalog.records("pictures"))
    catalog.advance(days=3)
    # A reference joins a completed look, and a picture of that look moves, listing it.
    touched_before = touched_looks(catalog, watermark)
    joined = min(everything - drafts - touched_before)
    members = catalog.account().look_references[joined]
    newcomer = next(
        r
        for r in catalog.records("references")
        if r["reference_id"] not in {m["reference_id"] for m in members}
    )
    pair = {"ref": newcomer["ref"], "reference_id": newcomer["reference_id"], "main": False}
    members.append({**pair, "look_reference_id": 999_001})
    picture = next(p for p in catalog.records("pictures") if p.get("look_id") == joined)
    listed = [*picture["looks"], {**pair, "useforref": False}]
    catalog.update_pictures([picture["picture_id"]], picturestatus=50, looks=listed)
    # A picture of another completed look moves, listing the references already landed.
    same = min(everything - drafts - touched_before - {joined})
    picture = next(p for p in catalog.records("pictures") if p.get("look_id") == same)
    catalog.update_pictures([picture["picture_id"]], picturestatus=50)
    # A completed look is renamed; a reference joins another with no picture moving (the rule
    # cannot see that one until a picture of it moves or a full refresh).
    renamed = min(everything - drafts - touched_before - {joined, same})
    next(look for look in catalog.account().looks if look["look_id"] == renamed)["name"] = "New"
    quiet_look = max(everything - drafts - touched_before - {joined, same, renamed})
    quiet = catalog.account().look_references[quiet_look]
    quiet.append({**quiet[0], "look_reference_id": 999_002, "main": False})
    # A picture of a draft moves, listing the same references: a draft may change, re-read it.
    moved_draft = min(drafts - touched_before)
    picture = next(p for p in catalog.records("pictures") if p.get("look_id") == moved_draft)
    catalog.update_pictures([picture["picture_id"]], picturestatus=50)
    touched = touched_looks(catalog, watermark)
    assert moved_draft in touched and drafts - touched, "a draft no picture of which moved"
    simulator.requests.clear()
    second = run(warehouse, rt)
    assert second.ok
    # Drafts are re-read only when a picture of them moved; completed looks when a moved
    # picture lists other references, or when the look itself changed.
    assert look_reads(simulator) == (drafts & touched) | {joined, renamed}
    assert same in touched and same not in look_reads(simulator)
    rows = set(landed(warehouse, "look_references"))
    assert (joined, 999_001) in rows and (quiet_look, 999_002) not in rows
    # --full-refresh reads every look again and reconciles.
    simulator.requests.clear()
    assert run(warehouse, rt, full_refresh=True).ok
    assert look_reads(simulator) == everything
    assert_exact(warehouse, catalog)


def touched_looks(catalog, since: datetime) -> set[int]:
    """Looks with a picture whose `date_mod` is at or after `since`."""
    return {
        p["look_id"]
        for p in catalog.records("pictures")
        if p.get("look_id") and stamp(p["date_mod"]) >= since
    }


def test_sync_retries_faults_and_stays_exact(simulator, catalog, warehouse) -> None:
    simulator.faults.error_rate = 0.15
    simulator.faults.burst_429_every = 7
    simulator.faults.retry_after = 0.01
    simulator.faults.truncate_rate = 0.1
    simulator.faults.drop_total_rate = 0.1
    result = run(warehouse, runtime(simulator.base_url, source=with_ceiling(SOURCE, 300)))
    assert result.ok, [(r.resource, r.error) for r in result.results]
    assert result.throttled > 0 and result.retries > result.throttled
    simulator.faults.error_rate = simulator.faults.truncate_rate = 0
    simulator.faults.burst_429_every = 0
    simulator.faults.drop_total_rate = 0
    assert_exact(warehouse, catalog)


def test_sync_timeouts_are_retried(simulator, catalog, warehouse) -> None:
    simulator.faults.timeout_every = 9
    simulator.faults.hang = 1.0
    result = run(warehouse, runtime(simulator.base_url, timeout=0.3))
    assert result.ok
    simulator.faults.timeout_every = 0
    assert_exact(warehouse, catalog)


def test_sync_rows_changing_while_paging_lose_nothing(simulator, catalog, warehouse) -> None:
    before = set(served(catalog, "pictures"))
    simulator.faults.mutate_while_paging = True
    rt = runtime(simulator.base_url, source=with_ceiling(SOURCE, 300))
    first = run(warehouse, rt)
    assert first.ok, [(r.resource, r.error) for r in first.results]
    simulator.faults.mutate_while_paging = False
    after = set(served(catalog, "pictures"))
    got = set(landed(warehouse, "pictures"))
    # Every picture that existed through the whole sync was received.
    assert (before & after) <= got
    # The next incremental sync catches up exactly.
    assert run(warehouse, rt).ok
    assert_exact(warehouse, catalog)


def test_sync_full_refresh_marks_vanished_rows(simulator, catalog, warehouse) -> None:
    rt = runtime(simulator.base_url)
    assert run(warehouse, rt).ok
    gone = [p["picture_id"] for p in catalog.records("pictures")[:3]]
    catalog.delete_pictures(gone)
    assert run(warehouse, rt).ok  # incremental: a deleted picture cannot be seen
    assert set(gone) <= set(landed(warehouse, "pictures"))
    result = run(warehouse, rt, full_refresh=True)
    assert result.ok
    assert set(landed(warehouse, "pictures", deleted=True)) == set(gone)
    assert_exact(warehouse, catalog)
    pictures = [r for r in result.results if r.resource == "pictures"][0]
    assert (pictures.mode, pictures.deleted) == ("full", 3)


def test_sync_bad_token_stops_with_clear_error(simulator, warehouse) -> None:
    result = run(warehouse, runtime(simulator.base_url, token="wrong-token-123"))
    assert not result.ok
    first = result.results[0]
    assert first.error == f"token rejected by {simulator.base_url}"
    assert all(r.status == "failed" for r in result.results)
    assert all("wrong-token-123" not in (r.error or "") for r in result.results)


def test_sync_child_of_a_failed_parent_is_not_attempted(simulator, warehouse) -> None:
    broken = tuple(
        dataclasses.replace(r, path="/style/look-gone") if r.name == "looks" else r
        for r in SOURCE.resources
    )
    result = run(
        warehouse, runtime(simulator.base_url, source=dataclasses.replace(SOURCE, resources=broken))
    )
    by_name = {r.resource: r for r in result.results}
    assert by_name["looks"].status == "failed"
    assert "HTTP 404" in (by_name["looks"].error or "")
    children = by_name["look_references"]
    assert (children.status, children.error, children.rows, children.pages) == (
        "failed",
        "not attempted: looks failed",
        0,
        0,
    )
    # The rest of the source still synced: one failure does not stop unrelated resources.
    assert by_name["pictures"].status == "ok" and by_name["pictures"].rows > 0
    assert not result.stops


def test_sync_unreachable_host_stops_the_source_at_once(warehouse) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v3"
    result = run(warehouse, runtime(base_url))
    assert result.stops == [f"cannot reach {base_url}: connection refused"]
    # One request, no retry: the others wait for the API's first answer, then never start.
    assert (result.requests, result.retries) == (1, 0)
    assert all(r.status == "failed" and r.stopped for r in result.results)
    assert [r.error for r in result.results[1:]] == [
        "not attempted: grandshooting.shooting_methods failed first"
    ] * (len(result.results) - 1)


def test_sync_accounts_land_apart(tmp_path) -> None:
    catalog = generate_catalog(CatalogSpec(references=20, seed=3, accounts=(11, 12)))
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    con = wh.connect(tmp_path / "w.duckdb")
    with sim.serve(host="127.0.0.1", port=0) as server:
        assert run(con, runtime(server.base_url, accounts=(11, 12))).ok
    for account in (11, 12):
        assert landed(con, "pictures", account) == served(catalog, "pictures", account)
        assert landed(con, "references", account) == served(catalog, "references", account)
    scopes = con.execute(
        "select distinct account_id from raw.grandshooting__pictures order by 1"
    ).fetchall()
    assert scopes == [(11,), (12,)]
    con.close()


def test_sync_at_the_rate_limit_gets_no_429(tmp_path) -> None:
    catalog = generate_catalog(CatalogSpec(references=10, seed=5))
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=5.0)
    con = wh.connect(tmp_path / "w.duckdb")
    with sim.serve(host="127.0.0.1", port=0) as server:
        result = run(con, runtime(server.base_url, rate_limit=5.0))
    assert result.ok
    assert result.throttled == 0
    assert [r.status for r in sim.requests].count(429) == 0
    assert landed(con, "pictures") == served(catalog, "pictures")
    con.close()


def test_sync_at_the_rate_limit_with_latency_gets_no_429(tmp_path) -> None:
    # Every resource at once on the shared limiter, each answer 250 ms late, against the
    # simulator's strict window (5 in any second): the pacing fills the window, never more.
    catalog = generate_catalog(CatalogSpec(references=120, seed=5))
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=5.0)
    sim.faults.latency = 0.25
    con = wh.connect(tmp_path / "w.duckdb")
    with sim.serve(host="127.0.0.1", port=0) as server:
        result = run(con, runtime(server.base_url, rate_limit=5.0))
    assert result.ok
    assert result.requests >= 20  # enough windows to fill several times over
    assert result.throttled == 0
    assert [r.status for r in sim.requests].count(429) == 0
    assert_exact(con, catalog)
    con.close()


def test_sync_resource_missing_on_old_accounts_is_skipped(simulator, warehouse) -> None:
    assert isinstance(warehouse, duckdb.DuckDBPyConnection)
    result = run(
        warehouse,
        runtime(simulator.base_url, resources=("shooting_methods", "specification_formats")),
    )
    assert result.ok
    assert [r.resource for r in result.results] == ["shooting_methods", "specification_formats"]
