"""Paging of the simulated Grand Shooting API: offset header, totals, the 10,000 ceiling."""

from __future__ import annotations

import httpx

from etl.simulators.grandshooting import Catalog, GrandShootingSimulator


def test_paging_headers_first_page(api: httpx.Client, shared_catalog: Catalog) -> None:
    pictures = shared_catalog.records("pictures")
    response = api.get("/picture")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == str(len(pictures))
    assert response.headers["X-Offset"] == "0"
    assert response.headers["X-Count"] == "100"
    assert response.json() == pictures[:100]


def test_paging_offset_header_moves_the_window(api: httpx.Client, shared_catalog: Catalog) -> None:
    pictures = shared_catalog.records("pictures")
    response = api.get("/picture", headers={"offset": "200"})
    assert response.headers["X-Offset"] == "200"
    assert [p["picture_id"] for p in response.json()] == [
        p["picture_id"] for p in pictures[200:300]
    ]


def test_paging_last_page_is_short_then_empty(api: httpx.Client, shared_catalog: Catalog) -> None:
    total = len(shared_catalog.records("references"))
    last = (total // 100) * 100
    short = api.get("/reference", headers={"offset": str(last)})
    assert short.headers["X-Count"] == str(total - last)
    assert len(short.json()) == total - last
    beyond = api.get("/reference", headers={"offset": str(last + 100)})
    assert beyond.status_code == 200
    assert beyond.json() == []
    assert beyond.headers["X-Count"] == "0"
    assert beyond.headers["X-Total-Count"] == str(total)


def test_paging_ceiling_is_10000(api: httpx.Client) -> None:
    at_ceiling = api.get("/picture", headers={"offset": "10000"})
    assert at_ceiling.status_code == 200
    beyond = api.get("/picture", headers={"offset": "10100"})
    assert beyond.status_code == 400
    message = beyond.json()["errors"][0]["message"]
    assert "10000" in message and "offset" in message


def test_paging_bad_offset_is_400(api: httpx.Client) -> None:
    for bad in ("abc", "-100", "12.5"):
        response = api.get("/reference", headers={"offset": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["message"].startswith("offset:")


def test_paging_by_key_reads_everything_once(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [p["picture_id"] for p in shared_catalog.records("pictures")]
    seen: list[int] = []
    last = 0
    while True:
        page = api.get("/picture", params={"picture_id": f"gt:{last}", "sort_by": "picture_id"})
        rows = page.json()
        if not rows:
            break
        seen.extend(r["picture_id"] for r in rows)
        last = rows[-1]["picture_id"]
    assert seen == expected


def test_paging_key_ranges_partition_the_ids(api: httpx.Client, shared_catalog: Catalog) -> None:
    ids = [p["picture_id"] for p in shared_catalog.records("pictures")]
    middle = ids[len(ids) // 2]
    low = api.get("/picture", params=[("picture_id", "gte:0"), ("picture_id", f"lt:{middle}")])
    high = api.get("/picture", params=[("picture_id", f"gte:{middle}")])
    assert int(low.headers["X-Total-Count"]) == len(ids) // 2
    assert int(low.headers["X-Total-Count"]) + int(high.headers["X-Total-Count"]) == len(ids)
    assert high.json()[0]["picture_id"] == middle


def test_paging_looks_and_look_references(api: httpx.Client, shared_catalog: Catalog) -> None:
    looks = api.get("/style/look")
    assert looks.json() == shared_catalog.records("looks")[:100]
    assert looks.headers["X-Total-Count"] == str(len(shared_catalog.records("looks")))
    look_id = looks.json()[0]["look_id"]
    members = api.get(f"/style/look/{look_id}/reference")
    expected = [
        {k: v for k, v in r.items() if k != "look_id"}
        for r in shared_catalog.records("look_references")
        if r["look_id"] == look_id
    ]
    assert members.json() == expected
    assert members.headers["X-Total-Count"] == str(len(expected))


def test_paging_beyond_ceiling_on_a_large_catalog(demo_catalog: Catalog) -> None:
    catalog = demo_catalog
    total = catalog.counts()["pictures"]
    assert total > 10_100
    simulator = GrandShootingSimulator(catalog, token="t", rate_limit=0)
    with (
        simulator.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as api,
    ):
        last_page = api.get("/picture", headers={"offset": "10000"})
        assert last_page.status_code == 200
        assert last_page.headers["X-Total-Count"] == str(total)
        boundary = last_page.json()[-1]["picture_id"]
        rest = api.get("/picture", params={"picture_id": f"gt:{boundary}", "sort_by": "picture_id"})
        assert int(rest.headers["X-Total-Count"]) == total - 10_100


def test_paging_offset_as_query_parameter_is_400(api: httpx.Client) -> None:
    response = api.get("/picture", params={"offset": "100"})
    assert response.status_code == 400
    assert "header" in response.json()["errors"][0]["message"]
