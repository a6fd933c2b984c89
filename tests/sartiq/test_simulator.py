"""The Sartiq simulator over loopback HTTP: envelopes, paging, scoping, auth, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.records import iso
from etl.warehouse import duckdb_file as wh
from tests.sartiq.helpers import by_id, live, result_of, run, sartiq_runtime, scope_of


def client(sim: SartiqSimulator, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token or sim.token}"}
    return httpx.Client(base_url=sim.base_url, headers=headers, timeout=5.0)


def test_simulator_pages_with_skip_limit_and_count_is_the_page_size(sim: SartiqSimulator) -> None:
    org = sim.organizations[0]
    expected = [p["id"] for p in sim.records("products", org) if p["enabled"]]
    seen: list[str] = []
    with client(sim) as http:
        for skip in range(0, 100, 7):
            body = http.get(
                "/products/",
                params={
                    "organization_id": org,
                    "skip": skip,
                    "limit": 7,
                    "sort_by": "created_at",
                    "sort_order": "asc",
                },
            ).json()
            assert body["count"] == len(body["data"])
            seen.extend(p["id"] for p in body["data"])
            if len(body["data"]) < 7:
                break
    assert seen == expected
    assert len(expected) > 7


def test_simulator_scopes_by_organisation_and_personal(sim: SartiqSimulator) -> None:
    with client(sim) as http:
        personal = http.get("/shootings/").json()["data"]
        first = http.get("/shootings/", params={"organization_id": sim.organizations[0]}).json()
        foreign = http.get("/shootings/", params={"organization_id": sim.foreign_organization})
    assert personal and all(s["organization_id"] is None for s in personal)
    assert first["data"] and all(
        s["organization_id"] == sim.organizations[0] for s in first["data"]
    )
    assert foreign.status_code == 403


def test_simulator_hides_disabled_products_by_default(sim: SartiqSimulator) -> None:
    org = sim.organizations[0]
    with client(sim) as http:
        default = http.get("/products/", params={"organization_id": org, "limit": 500}).json()
        disabled = http.get(
            "/products/", params={"organization_id": org, "limit": 500, "enabled": "false"}
        ).json()
    assert all(p["enabled"] for p in default["data"])
    assert disabled["data"] and not any(p["enabled"] for p in disabled["data"])
    served = {p["id"] for p in default["data"] + disabled["data"]}
    assert served == {p["id"] for p in sim.records("products", org)}


def test_simulator_answers_auth_errors_and_the_password_flow(sim: SartiqSimulator) -> None:
    assert httpx.get(f"{sim.base_url}/shootings/").status_code == 401
    with client(sim, token="wrong-token") as http:
        assert http.get("/shootings/").status_code == 401
    refused = httpx.post(
        f"{sim.base_url}/login/access-token", data={"username": sim.username, "password": "nope"}
    )
    assert refused.status_code == 400
    answer = httpx.post(
        f"{sim.base_url}/login/access-token",
        data={"username": sim.username, "password": sim.password},
    ).json()
    assert answer["token_type"] == "bearer"
    with client(sim, token=answer["access_token"]) as http:
        assert http.get("/shootings/").status_code == 200
        sim.revoke_tokens()
        assert http.get("/shootings/").status_code == 401


def test_simulator_refuses_writing_methods(sim: SartiqSimulator) -> None:
    with client(sim) as http:
        statuses = [
            http.request(method, "/shootings/").status_code
            for method in ("POST", "PUT", "PATCH", "DELETE")
        ]
    assert statuses == [405, 405, 405, 405]


def test_simulator_validates_like_fastapi(sim: SartiqSimulator) -> None:
    sim.max_limit = 50
    with client(sim) as http:
        bad_limit = http.get("/shootings/", params={"limit": "x"})
        too_big = http.get("/shootings/", params={"limit": 51})
        bad_uuid = http.get("/shootings/not-a-uuid/productions")
        missing = http.get("/shootings/00000000-0000-4000-8000-000000000000/productions")
    assert bad_limit.status_code == 422
    assert bad_limit.json()["detail"][0]["loc"] == ["query", "limit"]
    assert too_big.status_code == 422
    assert bad_uuid.status_code == 422
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Shooting not found"}


def test_simulator_serves_bare_arrays_and_deleted_productions(sim: SartiqSimulator) -> None:
    org = sim.organizations[0]
    shooting = next(
        s
        for s in sim.records("shootings", org)
        if s["require_test_shooting"] and s["phase"] not in (None, "BRIEF")
    )
    with client(sim) as http:
        statuses = http.get(f"/shootings/{shooting['id']}/production-request-statuses").json()
        live = http.get(f"/shootings/{shooting['id']}/productions").json()
        every = http.get(
            f"/shootings/{shooting['id']}/productions", params={"include_deleted": "true"}
        ).json()
    assert isinstance(statuses, list)
    assert [s["sorting"] for s in statuses] == sorted(s["sorting"] for s in statuses)
    assert len(every["data"]) == len(live["data"]) + 1
    assert {p["kind"] for p in every["data"]} <= {"MAIN", "TEST"}


def test_simulator_generates_every_phase_and_guideline_rules(sim: SartiqSimulator) -> None:
    shootings = sim.records("shootings", sim.organizations[0])
    phases = {s["phase"] for s in shootings}
    assert phases == {
        "BRIEF",
        "TEST_SHOOTING",
        "PRODUCTS_SELECTION",
        "AGREEMENT",
        "PRODUCTION",
        "CLOSED",
        None,
    }
    rules = shootings[0]["default_guidelines"]["shot_type_rules"]
    assert {r["rule_kind"] for r in rules} == {"product_type", "gender"}
    products = sim.records("products", sim.organizations[0])
    assert any(p["back_image_url"] is None for p in products)
    shots = sim.records("shots", sim.organizations[0])
    assert len({s["status"] for s in shots}) >= 5


def test_simulator_mutations_move_updated_at_on_the_clock(sim: SartiqSimulator) -> None:
    org = sim.organizations[0]
    look = sim.records("looks", org)[0]
    shot = look["shots"][0]
    sim.set_time(datetime(2030, 1, 1, tzinfo=UTC))
    sim.update("shots", shot["id"], rework_used=5)
    after = next(x for x in sim.records("looks", org) if x["id"] == look["id"])
    assert after["updated_at"].startswith("2030-01-01T00:00:00")
    assert after["shots"][0]["rework_used"] == 5
    sim.delete("looks", look["id"])
    assert look["id"] not in {x["id"] for x in sim.records("looks", org)}


def test_simulator_faults_are_switchable_at_runtime(sim: SartiqSimulator) -> None:
    sim.faults.fail_next(1, status=429, retry_after=2)
    sim.faults.fail_next(1, status=500)
    with client(sim) as http:
        throttled = http.get("/shootings/")
        failed = http.get("/shootings/")
        fine = http.get("/shootings/")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2"
    assert failed.status_code == 500
    assert fine.status_code == 200
    assert [r.status for r in sim.requests][-3:] == [429, 500, 200]


@pytest.mark.parametrize("seed", [3, 4])
def test_simulator_is_deterministic_per_seed(seed: int) -> None:
    first, second = SartiqSimulator(seed=seed), SartiqSimulator(seed=seed)
    org_a, org_b = first.organizations[0], second.organizations[0]
    assert first.records("looks", org_a) == second.records("looks", org_b)


# Moves that change a shot's status, from -> to (see etl/simulators/sartiq/progress.py).
SHOT_MOVES = {
    "resumed": ("ON_HOLD", "PENDING"),
    "proposed": ("PENDING", "PROPOSAL"),
    "accepted": ("PROPOSAL", "POST_PROD"),
    "reshot": ("REJECTED", "PROPOSAL"),
    "retouched": ("POST_PROD", "REVIEW"),
    "refused_in_post_prod": ("POST_PROD", "POST_PROD_REJECTED"),
    "reworked": ("POST_PROD_REJECTED", "POST_PROD"),
    "validated": ("REVIEW", "APPROVED"),
    "completed": ("APPROVED", "COMPLETED"),
}


def _shots(sim: SartiqSimulator) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for org in [*sim.organizations, None] for s in sim.records("shots", org)}


def test_simulator_advance_day_counts_are_the_shot_status_changes() -> None:
    sim = SartiqSimulator(seed=11, products_per_org=30)
    start = sim.store.clock.now()
    before = _shots(sim)
    looks_before = {
        look["id"]: look for org in sim.organizations for look in sim.records("looks", org)
    }
    progress = sim.advance_days(1)
    after = _shots(sim)
    assert sim.store.clock.now() == start + timedelta(days=1)
    changed = {k for k in before if before[k] != after[k]}
    added = after.keys() - before.keys()
    assert changed | added == progress.shots
    transitions: dict[tuple[str, str], int] = {}
    for key in changed:
        pair = (before[key]["status"], after[key]["status"])
        if pair[0] != pair[1]:
            transitions[pair] = transitions.get(pair, 0) + 1
    refusals = transitions.pop(("PROPOSAL", "REJECTED"), 0) + transitions.pop(
        ("REVIEW", "REJECTED"), 0
    )
    assert refusals == progress.counts["refused"]
    assert transitions == {
        pair: progress.counts[name] for name, pair in SHOT_MOVES.items() if progress.counts[name]
    }
    moved = [after[k] for k in changed if after[k]["status"] != before[k]["status"]]
    assert moved and sum(progress.counts[n] for n in (*SHOT_MOVES, "refused")) == len(moved)
    for shot in moved:
        # Each move is a new revision, dated inside the day, that carries the new status.
        revision = shot["revisions"][-1]
        assert len(shot["revisions"]) == len(before[shot["id"]]["revisions"]) + 1
        assert revision["shot_status"] == shot["status"]
        assert iso(start) < revision["created_at"] < iso(sim.store.clock.now())
    looks_after = {
        look["id"]: look for org in sim.organizations for look in sim.records("looks", org)
    }
    for look_id, look in looks_before.items():
        moved_look = look_id in progress.looks
        assert (looks_after[look_id]["updated_at"] > look["updated_at"]) == moved_look


def test_simulator_advance_days_is_deterministic() -> None:
    first, second = SartiqSimulator(seed=4), SartiqSimulator(seed=4)
    first.advance_days(3)
    second.advance_days(1)
    second.advance_days(2)
    org_a, org_b = first.organizations[0], second.organizations[0]
    assert first.records("looks", org_a) == second.records("looks", org_b)
    assert first.records("products", org_a) == second.records("products", org_b)


def test_simulator_control_endpoint_advances_days(sim: SartiqSimulator) -> None:
    start = sim.store.clock.now()
    root = sim.base_url.removesuffix("/api/v1")
    headers = {"Authorization": f"Bearer {sim.token}"}
    advanced = httpx.post(f"{root}/_sim/advance", params={"days": 2}, headers=headers)
    anonymous = httpx.post(f"{root}/_sim/advance")
    too_many = httpx.post(f"{root}/_sim/advance", params={"days": 1000}, headers=headers)
    assert advanced.status_code == 200
    assert advanced.json()["clock"] == iso(start + timedelta(days=2))
    assert sum(advanced.json()["changes"].values()) > 0
    assert anonymous.status_code == 401
    assert too_many.status_code == 400
    assert sim.store.clock.now() == start + timedelta(days=2)


def test_simulator_incremental_sync_after_advancing_lands_exactly_the_changes(
    sim: SartiqSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    con = wh.connect(tmp_path / "warehouse.duckdb")
    runtime = sartiq_runtime(sim, tmp_path)
    assert run(runtime, con).ok
    progress = sim.advance_days(2)
    assert progress.counts["validated"] > 0 and progress.counts["new_products"] > 0
    second = run(runtime, con)
    assert second.ok
    for org in [*sim.organizations, None]:
        scope = scope_of(org)
        assert result_of(second, "looks", scope).mode == "incremental"
        products = live(con, "products", scope) + live(con, "products_disabled", scope)
        assert by_id(products) == by_id(sim.records("products", org))
        for resource in ("shootings", "looks", "shots", "revisions"):
            landed = by_id(live(con, resource, scope))
            assert landed == by_id(sim.records(resource, org)), (resource, scope)
    scopes = [scope_of(org) for org in [*sim.organizations, None]]
    landed_shots = {k[0] for scope in scopes for k in by_id(live(con, "shots", scope))}
    assert progress.shots <= landed_shots
    con.close()


def test_simulator_generates_at_the_start_it_is_given() -> None:
    start = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    sim = SartiqSimulator(seed=3, start=start)
    org = sim.organizations[0]
    stamps = [r["created_at"] for name in ("products", "looks") for r in sim.records(name, org)]
    assert stamps and all(iso(start) < stamp < "2026-11-20T09:31" for stamp in stamps)
    sim.advance_days(1)
    assert sim.store.clock.now() > start + timedelta(days=1)
