"""HTTP behaviour of the simulated Grand Shooting API: auth, writes, endpoints, accounts, log."""

from __future__ import annotations

import httpx

from etl.simulators.grandshooting import (
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    RunningServer,
    generate_catalog,
)

TOKEN = "secret-token"  # as in conftest.py
DELEGATED = 101


def test_auth_missing_token_is_401(server: RunningServer) -> None:
    response = httpx.get(f"{server.base_url}/picture")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"].startswith("Unauthorized")


def test_auth_wrong_token_is_401(server: RunningServer) -> None:
    response = httpx.get(f"{server.base_url}/reference", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_auth_header_is_not_logged(api: httpx.Client, simulator: GrandShootingSimulator) -> None:
    api.get("/shootingmethod", params={"x": "1"})
    record = simulator.requests[-1]
    assert record.path == "/v3/shootingmethod"
    assert record.query == [("x", "1")]
    assert record.status == 200
    assert "authorization" not in record.headers
    assert TOKEN not in repr(simulator.requests.snapshot())


def test_writes_are_405_and_logged(api: httpx.Client, simulator: GrandShootingSimulator) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = api.request(method, "/reference", json={"ref": "X"})
        assert response.status_code == 405, method
        assert response.headers["Allow"] == "GET"
    assert [(r.method, r.status) for r in simulator.requests][-4:] == [
        ("POST", 405),
        ("PUT", 405),
        ("PATCH", 405),
        ("DELETE", 405),
    ]


def test_unknown_path_and_ids_are_404(api: httpx.Client) -> None:
    assert api.get("/nothing").status_code == 404
    assert api.get("/picture/999999999").status_code == 404
    assert api.get("/reference/999999999").status_code == 404
    assert api.get("/style/look/999999/reference").status_code == 404
    assert api.get("/production/999999/bench").status_code == 404


def test_single_objects(api: httpx.Client, shared_catalog: Catalog) -> None:
    picture = shared_catalog.records("pictures")[42]
    reference = shared_catalog.records("references")[7]
    assert api.get(f"/picture/{picture['picture_id']}").json() == picture
    assert api.get(f"/reference/{reference['reference_id']}").json() == reference


def test_productions_hide_archived_unless_asked(api: httpx.Client, shared_catalog: Catalog) -> None:
    benches = shared_catalog.records("benches")
    active = [b for b in benches if not b["archived"]]
    assert len(active) < len(benches)
    default = api.get("/production").json()
    assert [b for production in default for b in production] == active
    everything = api.get("/production", params={"archived": "true"}).json()
    assert [b for production in everything for b in production] == benches
    for production in everything:
        assert [b["benchsteptype"] for b in production][0] == 10
        assert production[-1]["benchsteptype"] == 40
        assert len({b["root_id"] for b in production}) == 1


def test_production_benches_by_root(api: httpx.Client, shared_catalog: Catalog) -> None:
    benches = shared_catalog.records("benches")
    root = benches[0]["root_id"]
    expected = [b for b in benches if b["root_id"] == root]
    assert api.get(f"/production/{root}/bench").json() == expected
    last = expected[-1]
    assert api.get(f"/production/{root}/bench/{last['bench_id']}").json() == last


def test_small_lists_match_records(api: httpx.Client, shared_catalog: Catalog) -> None:
    assert api.get("/shootingmethod").json() == shared_catalog.records("shooting_methods")
    assert api.get("/specification/format").json() == shared_catalog.records(
        "specification_formats"
    )
    assert api.get("/specification/category").json() == shared_catalog.records(
        "specification_categories"
    )


def test_aggregate_counts_reconcile(api: httpx.Client, shared_catalog: Catalog) -> None:
    pictures = shared_catalog.records("pictures")
    groups = api.get("/picture/aggregate", params={"group_by_field": "benchsteptype"}).json()
    counts = {g["key"]: g["nb"] for g in groups}
    assert sum(counts.values()) == len(pictures)
    assert counts["40"] == sum(1 for p in pictures if p["benchsteptype"] == 40)
    filtered = api.get(
        "/picture/aggregate", params={"group_by_field": "picturestatus", "benchsteptype": "40"}
    ).json()
    assert {g["key"] for g in filtered} <= {"31", "40", "50", "51", "52", "55", "80"}
    assert api.get("/picture/aggregate").status_code == 400


def test_accounts_are_separate_catalogs(api: httpx.Client, shared_catalog: Catalog) -> None:
    own = api.get("/reference").json()
    delegated = api.get("/reference", params={"account_id": str(DELEGATED)}).json()
    assert delegated == shared_catalog.records("references", account_id=DELEGATED)[:100]
    assert delegated != own
    by_header = api.get("/reference", headers={"account_id": str(DELEGATED)}).json()
    assert by_header == delegated
    bench = api.get("/production", params={"account_id": str(DELEGATED)}).json()[0][0]
    assert bench["account_id"] == DELEGATED


def test_accounts_unknown_is_403(api: httpx.Client) -> None:
    response = api.get("/picture", params={"account_id": "999"})
    assert response.status_code == 403
    assert "999" in response.json()["errors"][0]["message"]
    assert api.get("/picture", params={"account_id": "x"}).status_code == 400


def test_accounts_without_own_account_need_account_id() -> None:
    catalog = generate_catalog(CatalogSpec(references=5, seed=1, accounts=(11,)))
    simulator = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert simulator.handle("GET", "/v3/picture", headers).status == 403
    assert simulator.handle("GET", "/v3/picture?account_id=11", headers).status == 200


def test_accounts_on_api_30_have_no_guidelines() -> None:
    catalog = generate_catalog(CatalogSpec(references=20, seed=1, guidelines=False))
    simulator = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert simulator.handle("GET", "/v3/specification/category", headers).status == 404
    assert simulator.handle("GET", "/v3/specification/format", headers).status == 200
    assert catalog.records("specification_categories") == []
    assert all("category_id" not in r for r in catalog.records("references"))
    assert any("view_type_code" in p for p in catalog.records("pictures"))
