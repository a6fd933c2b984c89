"""The Sartiq connector against the simulator over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.errors import SecretMissingError
from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.store import RESOURCES
from tests.sartiq.helpers import by_id, live, result_of, run, sartiq_runtime, scope_of

# Landed with their shooting's id added (the API's records do not carry it).
PER_SHOOTING = ["status_definitions", "main_products", "sample_products"]
# Every other resource the simulator serves lands as served; products are compared on their own
# (they land in two tables, enabled and disabled).
PLAIN = [r for r in RESOURCES if r != "products" and r not in PER_SHOOTING]


def _scopes(sim: SartiqSimulator) -> list[str | None]:
    return [*sim.organizations, None]


def test_sync_full_equals_the_simulator(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    result = run(sartiq_runtime(sim, tmp_path), warehouse)
    assert result.ok, [r.error for r in result.results if r.error]
    for org in _scopes(sim):
        scope = scope_of(org)
        products = live(warehouse, "products", scope) + live(warehouse, "products_disabled", scope)
        assert by_id(products) == by_id(sim.records("products", org))
        for resource in PLAIN:
            landed = by_id(live(warehouse, resource, scope))
            expected = by_id(sim.records(resource, org))
            assert landed.keys() == expected.keys(), (resource, scope)
            for key, record in expected.items():
                # Nested rows also carry their parent's key (push records have none of their own).
                extra = landed[key].keys() - record.keys()
                assert extra <= {"shot_revision_id"}, (resource, extra)
                assert {k: landed[key][k] for k in record} == record, (resource, key)
        for resource in PER_SHOOTING:
            children = [
                {**record, "shooting_id": shooting["id"]}
                for shooting in sim.records("shootings", org)
                for record in sim.records(resource, org, shooting["id"])
            ]
            assert {(r["id"], s) for r, s in _with_parent(warehouse, resource, scope)} == {
                (r["id"], r["shooting_id"]) for r in children
            }
            assert len(live(warehouse, resource, scope)) == len(children)
    # Pages of 7 were needed: several products pages per organisation.
    product_requests = [r for r in sim.requests if r.path == "/api/v1/products/"]
    assert {r.params["sort_by"] for r in product_requests} == {"created_at"}
    assert max(int(r.params["skip"]) for r in product_requests) >= 14


def _with_parent(
    con: duckdb.DuckDBPyConnection, resource: str, scope: str
) -> list[tuple[dict[str, str], str]]:
    rows = con.execute(
        f"select id, shooting_id from raw.sartiq__{resource} "
        "where organization_id = ? and _deleted_at is null",
        [scope],
    ).fetchall()
    return [({"id": row[0]}, row[1]) for row in rows]


def test_sync_flattens_nested_rows_with_their_parent_keys(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    assert run(sartiq_runtime(sim, tmp_path), warehouse).ok
    org = sim.organizations[0]
    expected = {
        (push["id"], revision["id"], shot["id"], look["id"])
        for look in sim.records("looks", org)
        for shot in look["shots"]
        for revision in shot["revisions"]
        for push in revision["push_records"]
    }
    landed = warehouse.execute(
        """select p.id, r.id, s.id, s.production_request_id
           from raw.sartiq__push_records p
           join raw.sartiq__revisions r on r.id = p.shot_revision_id
           join raw.sartiq__shots s on s.id = r.shot_id
           where p.organization_id = ?""",
        [org],
    ).fetchall()
    assert set(landed) == expected
    assert expected


def test_sync_keeps_organisations_apart(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    assert run(sartiq_runtime(sim, tmp_path), warehouse).ok
    rows = warehouse.execute(
        "select organization_id, organization_id_api from raw.sartiq__shootings"
    ).fetchall()
    assert {scope for scope, _ in rows} == {*sim.organizations, "personal"}
    assert all(api == (None if scope == "personal" else scope) for scope, api in rows)
    per_org_requests = {r.organization_id for r in sim.requests if r.path.endswith("/shootings/")}
    assert per_org_requests == {*sim.organizations, None}


def test_sync_incremental_rereads_only_changed_or_open_shootings(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    runtime = sartiq_runtime(
        sim, tmp_path, include_personal=False, organization_ids=sim.organizations[:1]
    )
    assert run(runtime, warehouse).ok
    org = sim.organizations[0]
    shootings = sim.records("shootings", org)
    closed = next(s for s in shootings if s["phase"] == "CLOSED")
    open_ = next(
        s for s in shootings if s["phase"] == "PRODUCTION" and sim.records("looks", org, s["id"])
    )
    closed_look = sim.records("looks", org, closed["id"])[0]
    open_look = sim.records("looks", org, open_["id"])[0]
    # A look changes inside a closed shooting (the shooting does not move) and one is deleted
    # in an open shooting.
    sim.update("shots", closed_look["shots"][0]["id"], rework_used=9)
    sim.delete("looks", open_look["id"])
    sim.clear_requests()
    second = run(runtime, warehouse)
    assert second.ok
    assert result_of(second, "looks", org).mode == "incremental"
    read = {r.path.split("/")[4] for r in sim.requests if r.path.endswith("/production-requests")}
    expected = {s["id"] for s in shootings if s["phase"] != "CLOSED"}
    assert read == expected
    assert open_look["id"] not in by_id(live(warehouse, "looks", org))
    assert {s["id"] for s in open_look["shots"]}.isdisjoint(
        {k[0] for k in by_id(live(warehouse, "shots", org))}
    )
    stale = by_id(live(warehouse, "shots", org))[(closed_look["shots"][0]["id"],)]
    assert stale["rework_used"] != 9
    # The closed shooting moves: its looks are read again.
    sim.update("shootings", closed["id"], name="Closed, renamed")
    sim.clear_requests()
    assert run(runtime, warehouse).ok
    read = {r.path.split("/")[4] for r in sim.requests if r.path.endswith("/production-requests")}
    assert closed["id"] in read
    fresh = by_id(live(warehouse, "shots", org))[(closed_look["shots"][0]["id"],)]
    assert fresh["rework_used"] == 9


def test_sync_full_refresh_marks_what_vanished_in_closed_shootings(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    org = sim.organizations[0]
    runtime = sartiq_runtime(sim, tmp_path, include_personal=False, organization_ids=[org])
    assert run(runtime, warehouse).ok
    closed = next(s for s in sim.records("shootings", org) if s["phase"] == "CLOSED")
    look = sim.records("looks", org, closed["id"])[0]
    revision = look["shots"][0]["revisions"][0]
    product = sim.records("products", org)[0]
    sim.delete("looks", look["id"])
    sim.delete("products", product["id"])
    incremental = run(runtime, warehouse)
    assert look["id"] in {k[0] for k in by_id(live(warehouse, "looks", org))}
    assert (
        result_of(incremental, "products", org).deleted
        + result_of(incremental, "products_disabled", org).deleted
        == 1
    )
    refreshed = run(runtime, warehouse, full_refresh=True)
    assert refreshed.ok
    assert result_of(refreshed, "looks", org).deleted == 1
    assert look["id"] not in {k[0] for k in by_id(live(warehouse, "looks", org))}
    assert revision["id"] not in {k[0] for k in by_id(live(warehouse, "revisions", org))}
    marked = warehouse.execute(
        "select count(*) from raw.sartiq__revisions where id = ? and _deleted_at is not null",
        [revision["id"]],
    ).fetchone()
    assert marked == (1,)


def test_sync_keeps_unknown_enum_values(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    org = sim.organizations[0]
    look = sim.records("looks", org)[0]
    sim.update("shots", look["shots"][0]["id"], status="WAITING_FOR_MOON")
    sim.update("products", sim.records("products", org)[0]["id"], gender="ALIEN")
    assert run(sartiq_runtime(sim, tmp_path, organization_ids=[org]), warehouse).ok
    assert warehouse.execute(
        "select count(*) from raw.sartiq__shots where status = 'WAITING_FOR_MOON'"
    ).fetchone() == (1,)
    assert warehouse.execute(
        "select count(*) from raw.sartiq__products where gender = 'ALIEN'"
    ).fetchone() == (1,)
    assert warehouse.execute("select count(*) from meta.quarantine").fetchone() == (0,)


def test_sync_password_flow_logs_in_and_again_after_expiry(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_USERNAME", sim.username)
    monkeypatch.setenv("SARTIQ_PASSWORD", sim.password)
    runtime = sartiq_runtime(sim, tmp_path, organization_ids=sim.organizations[:1])
    assert run(runtime, warehouse).ok
    logins = [r for r in sim.requests if r.method == "POST"]
    assert len(logins) == 1
    assert all(r.authorization != f"Bearer {sim.token}" for r in sim.requests)
    sim.revoke_tokens()
    assert run(runtime, warehouse).ok
    assert len([r for r in sim.requests if r.method == "POST"]) == 2


def test_sync_without_credentials_says_which_variables(
    sim: SartiqSimulator, tmp_path: Path
) -> None:
    with pytest.raises(SecretMissingError, match="SARTIQ_TOKEN.*SARTIQ_USERNAME.*SARTIQ_PASSWORD"):
        sartiq_runtime(sim, tmp_path)


def test_sync_retries_429_and_500(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    sim.faults.fail_next(2, status=429, retry_after=0)
    sim.faults.fail_next(2, status=500)
    result = run(sartiq_runtime(sim, tmp_path, organization_ids=sim.organizations[:1]), warehouse)
    assert result.ok
    assert result.throttled == 2
    assert result.retries == 4
    org = sim.organizations[0]
    assert len(live(warehouse, "shootings", org)) == len(sim.records("shootings", org))


def test_sync_reports_422_and_404_clearly(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
    sim.max_limit = 5
    result = run(
        sartiq_runtime(
            sim, tmp_path, organization_ids=sim.organizations[:1], include_personal=False
        ),
        warehouse,
    )
    products = result_of(result, "products", sim.organizations[0])
    assert products.status == "failed"
    assert "HTTP 422" in (products.error or "")
    assert "less than or equal to 5" in (products.error or "")
    sim.max_limit = None
    sim.faults.fail_next(1, status=404)
    result = run(
        sartiq_runtime(
            sim, tmp_path, organization_ids=sim.organizations[:1], include_personal=False
        ),
        warehouse,
    )
    first = result.results[0]
    assert first.status == "failed" and "HTTP 404" in (first.error or "")


def test_sync_never_writes_nor_downloads(
    sim: SartiqSimulator,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SARTIQ_USERNAME", sim.username)
    monkeypatch.setenv("SARTIQ_PASSWORD", sim.password)
    assert run(sartiq_runtime(sim, tmp_path), warehouse, full_refresh=True).ok
    methods = {(r.method, r.path) for r in sim.requests if r.method != "GET"}
    assert methods == {("POST", "/api/v1/login/access-token")}
    assert not any("download" in r.path or "export" in r.path for r in sim.requests)
