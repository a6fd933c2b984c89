"""Filters and sorting of the simulated Grand Shooting API, over HTTP and in the parser."""

from __future__ import annotations

import httpx
import pytest

from etl.simulators.grandshooting import Catalog
from etl.simulators.grandshooting.filters import FilterError, Kind, parse_query

FIELDS = {"picture_id": Kind.NUMBER, "ref": Kind.STRING, "date_mod": Kind.DATE}


def _all(api: httpx.Client, path: str, params: list[tuple[str, str]]) -> list[dict]:
    rows: list[dict] = []
    offset = 0
    while True:
        page = api.get(path, params=params, headers={"offset": str(offset)}).json()
        rows.extend(page)
        if len(page) < 100:
            return rows
        offset += 100


def test_filter_equality(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [p for p in shared_catalog.records("pictures") if p["picturestatus"] == 50]
    response = api.get("/picture", params={"picturestatus": "50"})
    assert response.headers["X-Total-Count"] == str(len(expected))
    assert response.json() == expected[:100]


def test_filter_repeated_parameter_is_or(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [p for p in shared_catalog.records("pictures") if p["picturestatus"] in (40, 50)]
    rows = _all(api, "/picture", [("picturestatus", "50"), ("picturestatus", "40")])
    assert rows == expected


def test_filter_two_comparisons_are_a_range(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [p for p in shared_catalog.records("pictures") if 500 <= p["picture_id"] < 700]
    rows = _all(api, "/picture", [("picture_id", "gte:500"), ("picture_id", "lt:700")])
    assert rows == expected
    assert rows and all(500 <= r["picture_id"] < 700 for r in rows)


@pytest.mark.parametrize(
    ("op", "check"),
    [
        ("gt", lambda v: v > 40),
        ("gte", lambda v: v >= 40),
        ("lt", lambda v: v < 40),
        ("lte", lambda v: v <= 40),
    ],
)
def test_filter_comparisons(api: httpx.Client, shared_catalog: Catalog, op: str, check) -> None:
    expected = [p for p in shared_catalog.records("pictures") if check(p["picturestatus"])]
    response = api.get("/picture", params={"picturestatus": f"{op}:40"})
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_filter_in_list(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [p for p in shared_catalog.records("pictures") if p["benchsteptype"] in (20, 30)]
    response = api.get("/picture", params={"benchsteptype": "in:20,30"})
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_filter_dates_compare_by_day(api: httpx.Client, shared_catalog: Catalog) -> None:
    pictures = shared_catalog.records("pictures")
    day = sorted(p["date_mod"][:10] for p in pictures)[len(pictures) // 2]
    on_or_after = [p for p in pictures if p["date_mod"][:10] >= day]
    same_day = [p for p in pictures if p["date_mod"][:10] == day]
    response = api.get("/picture", params={"date_mod": f"gte:{day}"})
    assert response.headers["X-Total-Count"] == str(len(on_or_after))
    # A row modified late on the day still matches an equality on the day.
    assert api.get("/picture", params={"date_mod": day}).headers["X-Total-Count"] == str(
        len(same_day)
    )


def test_filter_list_field_matches_any_element(api: httpx.Client, shared_catalog: Catalog) -> None:
    with_look = next(p for p in shared_catalog.records("pictures") if len(p["reference_ids"]) > 1)
    secondary = with_look["reference_ids"][1]
    expected = [p for p in shared_catalog.records("pictures") if secondary in p["reference_ids"]]
    response = api.get("/picture", params={"reference_ids": str(secondary)})
    assert response.headers["X-Total-Count"] == str(len(expected))
    assert with_look["picture_id"] in [p["picture_id"] for p in response.json()]


def test_filter_null_matches_missing_fields(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [r for r in shared_catalog.records("references") if "category_id" not in r]
    response = api.get("/reference", params={"category_id": "null"})
    assert expected
    assert response.json() == expected


def test_filter_references_by_text(api: httpx.Client, shared_catalog: Catalog) -> None:
    expected = [r for r in shared_catalog.records("references") if r["univers"] == "Shoes"]
    assert api.get("/reference", params={"univers": "Shoes"}).json() == expected


def test_filter_unknown_field_is_400(api: httpx.Client) -> None:
    response = api.get("/picture", params={"colour": "red"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "colour: unknown filter field"}]}


def test_filter_bad_number_is_400(api: httpx.Client) -> None:
    response = api.get("/picture", params={"picture_id": "gte:abc"})
    assert response.status_code == 400
    assert "picture_id" in response.json()["errors"][0]["message"]


def test_sort_descending_and_ascending(api: httpx.Client, shared_catalog: Catalog) -> None:
    pictures = shared_catalog.records("pictures")
    newest = api.get("/picture", params={"sort_by": "-date_mod"}).json()
    assert [p["date_mod"] for p in newest] == sorted(
        (p["date_mod"] for p in pictures), reverse=True
    )[:100]
    # A literal '+' arrives as a space after URL decoding: both mean ascending.
    oldest = api.get("/picture?sort_by=+date_cre").json()
    assert [p["date_cre"] for p in oldest] == sorted(p["date_cre"] for p in pictures)[:100]
    by_key_desc = api.get("/picture", params={"sort_by": "-picture_id"}).json()
    assert by_key_desc[0]["picture_id"] == pictures[-1]["picture_id"]


def test_sort_unknown_field_is_400(api: httpx.Client) -> None:
    assert api.get("/picture", params={"sort_by": "nope"}).status_code == 400


def test_parse_query_groups_conditions_by_field() -> None:
    query = parse_query(
        [("picture_id", "gte:10"), ("picture_id", "lt:20"), ("ref", "A"), ("ref", "B")], FIELDS
    )
    by_field = {f.field: f for f in query.filters}
    assert by_field["picture_id"].bounds == (("gte", 10.0), ("lt", 20.0))
    assert by_field["ref"].equals == ("A", "B")
    assert by_field["picture_id"].matches(15) and not by_field["picture_id"].matches(20)


def test_parse_query_wildcard_and_bad_date() -> None:
    query = parse_query([("ref", "FW26_*")], FIELDS)
    assert query.filters[0].matches("FW26_ALDA_PINK")
    assert not query.filters[0].matches("SS26_ALDA_PINK")
    with pytest.raises(FilterError, match="date_mod"):
        parse_query([("date_mod", "gte:yesterday")], FIELDS)


def test_table_paths_agree_with_a_plain_scan(shared_catalog: Catalog) -> None:
    """Bisection, cached views and sorted views give what filtering every row gives."""
    import random

    from etl.simulators.grandshooting.filters import sort_rows

    table = shared_catalog.account(0).pictures
    rows = table.rows
    ids = table.ids
    rng = random.Random(3)
    for _ in range(60):
        pairs: list[tuple[str, str]] = []
        if rng.random() < 0.7:
            lo = rng.choice(ids)
            pairs.append(("picture_id", f"{rng.choice(['gt', 'gte'])}:{lo}"))
            if rng.random() < 0.5:
                pairs.append(
                    ("picture_id", f"{rng.choice(['lt', 'lte'])}:{lo + rng.randint(0, 900)}")
                )
        if rng.random() < 0.3:
            pairs += [("picture_id", str(rng.choice(ids))), ("picture_id", str(rng.choice(ids)))]
        if rng.random() < 0.5:
            pairs.append(("benchsteptype", rng.choice(["10", "40", "in:20,30", "gte:20"])))
        if rng.random() < 0.3:
            pairs.append(("date_mod", f"gte:2026-{rng.randint(8, 11):02d}-01"))
        if rng.random() < 0.4:
            pairs.append(
                ("sort_by", rng.choice(["-picture_id", "picture_id", "-date_mod", "width"]))
            )
        query = parse_query(pairs, table.fields)
        keep = query.predicate()
        expected = sort_rows([r for r in rows if keep(r)], query.sort, table.fields)
        offset = rng.choice([0, 0, 100, 300])
        total, page = table.page(query, offset, 100)
        assert total == len(expected), pairs
        assert [r["picture_id"] for r in page] == [
            r["picture_id"] for r in expected[offset : offset + 100]
        ], pairs
