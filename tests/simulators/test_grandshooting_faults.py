"""Fault switches of the simulator: 500s, 429 bursts, truncation, missing totals, timeouts,
latency and rows changing while a client pages."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from etl.simulators.grandshooting import Catalog, Faults, GrandShootingSimulator


@pytest.fixture
def faulty(catalog: Catalog) -> GrandShootingSimulator:
    return GrandShootingSimulator(catalog, token="t", rate_limit=0)


@pytest.fixture
def client(faulty: GrandShootingSimulator) -> Iterator[httpx.Client]:
    with (
        faulty.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as api,
    ):
        yield api


def test_faults_error_rate_gives_500(faulty: GrandShootingSimulator, client: httpx.Client) -> None:
    faulty.faults.error_rate = 1.0
    response = client.get("/picture")
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"].startswith("Internal server error")
    faulty.faults.error_rate = 0.0
    assert client.get("/picture").status_code == 200


def test_faults_are_reproducible_for_a_seed(catalog: Catalog) -> None:
    def statuses(seed: int) -> list[int]:
        simulator = GrandShootingSimulator(
            catalog, token="t", rate_limit=0, faults=Faults(error_rate=0.5, seed=seed)
        )
        headers = {"Authorization": "Bearer t"}
        return [simulator.handle("GET", "/v3/shootingmethod", headers).status for _ in range(40)]

    first = statuses(1)
    assert first == statuses(1)
    assert first != statuses(2)
    assert 5 < first.count(500) < 35


def test_faults_burst_429_every_nth(faulty: GrandShootingSimulator, client: httpx.Client) -> None:
    faulty.faults = Faults(burst_429_every=3, retry_after=0.2)
    statuses = [client.get("/shootingmethod") for _ in range(6)]
    assert [r.status_code for r in statuses] == [200, 200, 429, 200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "0.2"
    assert statuses[2].json() == {"errors": [{"message": "Rate limit exceeded"}]}


def test_faults_truncated_body_is_200_and_invalid(
    faulty: GrandShootingSimulator, client: httpx.Client
) -> None:
    faulty.faults.truncate_rate = 1.0
    response = client.get("/reference")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_faults_drop_total_headers(faulty: GrandShootingSimulator, client: httpx.Client) -> None:
    faulty.faults.drop_total_rate = 1.0
    response = client.get("/picture")
    assert "X-Total-Count" not in response.headers
    assert "X-Count" not in response.headers
    assert response.headers["X-Offset"] == "0"
    assert len(response.json()) == 100


def test_faults_latency_delays_answers(
    faulty: GrandShootingSimulator, client: httpx.Client
) -> None:
    faulty.faults.latency = 0.1
    started = time.perf_counter()
    assert client.get("/shootingmethod").status_code == 200
    assert time.perf_counter() - started >= 0.1


def test_faults_timeout_every_nth(catalog: Catalog) -> None:
    simulator = GrandShootingSimulator(
        catalog, token="t", rate_limit=0, faults=Faults(timeout_every=2, hang=30)
    )
    with (
        simulator.serve() as server,
        httpx.Client(
            base_url=server.base_url, headers={"Authorization": "Bearer t"}, timeout=0.3
        ) as api,
    ):
        assert api.get("/shootingmethod").status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            api.get("/shootingmethod")
        assert api.get("/shootingmethod").status_code == 200
    # Closing the server ended the hanging request instead of waiting 30 s.


def test_faults_mutate_while_paging(
    faulty: GrandShootingSimulator, client: httpx.Client, catalog: Catalog
) -> None:
    before = {p["picture_id"]: p for p in catalog.records("pictures")}
    catalog.advance(hours=1)
    faulty.faults = Faults(mutate_while_paging=True, mutate_rows=3, mutate_new=2)
    first = client.get("/picture")
    second = client.get("/picture", headers={"offset": "100"})
    assert first.status_code == second.status_code == 200
    after = {p["picture_id"]: p for p in catalog.records("pictures")}
    new = sorted(set(after) - set(before))
    assert len(new) == 4 and new[0] > max(before)
    stamp = after[new[0]]["date_mod"]
    assert stamp.startswith(catalog.clock.isoformat()[:19])
    changed = [i for i in before if after[i] != before[i]]
    assert 1 <= len(changed) <= 6
    assert all(after[i]["date_mod"] == stamp for i in changed)
    assert int(second.headers["X-Total-Count"]) == len(after)
    # Reference lists change references only.
    client.get("/reference")
    assert len(catalog.records("pictures")) == len(after)
