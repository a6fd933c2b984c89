"""The generated catalog: deterministic, realistic in shape, and changed by the mutation API."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from etl.simulators.grandshooting import (
    RESOURCES,
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    generate_catalog,
)

LIVE, RETOUCH, VALIDATION = {1, 5, 10, 30}, {30, 35}, {31, 40, 50, 51, 52, 55, 80}


def test_catalog_same_seed_same_rows() -> None:
    spec = CatalogSpec(references=60, seed=5)
    first, second = generate_catalog(spec), generate_catalog(spec)
    for resource in RESOURCES:
        assert first.records(resource) == second.records(resource), resource
    other = generate_catalog(CatalogSpec(references=60, seed=6))
    assert other.records("references") != first.records("references")


def test_catalog_default_demo_size_has_over_10000_pictures(demo_catalog: Catalog) -> None:
    counts = demo_catalog.counts()
    assert counts["references"] == 2000
    assert counts["pictures"] > 10_000


def test_catalog_workflow_links_are_consistent(shared_catalog: Catalog) -> None:
    pictures = {p["picture_id"]: p for p in shared_catalog.records("pictures")}
    benches = {b["bench_id"]: b for b in shared_catalog.records("benches")}
    for picture in pictures.values():
        bench = benches[picture["bench_id"]]
        assert picture["benchsteptype"] == bench["benchsteptype"]
        assert picture["bench_root_id"] == bench["root_id"]
        allowed = {10: LIVE, 20: RETOUCH, 30: RETOUCH, 40: VALIDATION}[bench["benchsteptype"]]
        assert picture["picturestatus"] in allowed
        for child_id in picture["child_ids"]:
            child = pictures[child_id]
            assert child["parent_id"] == picture["picture_id"]
            assert child["picture_id"] > picture["picture_id"]
            assert benches[child["bench_id"]]["parent_id"] == picture["bench_id"]
        if "parent_id" in picture:
            assert picture["picture_id"] in pictures[picture["parent_id"]]["child_ids"]
        else:
            assert picture["benchsteptype"] == 10
        assert picture["date_cre"] <= picture["date_mod"]


def test_catalog_has_the_cases_analytics_need(shared_catalog: Catalog) -> None:
    references = shared_catalog.records("references")
    pictures = shared_catalog.records("pictures")
    benches = shared_catalog.records("benches")
    categories = {c["category_id"]: c for c in shared_catalog.records("specification_categories")}
    shot = {p.get("reference_id") for p in pictures}
    assert any(r["reference_id"] not in shot for r in references)  # no pictures at all
    assert any("category_id" not in r for r in references)  # no guideline
    assert all(r["category_id"] in categories for r in references if "category_id" in r)
    archived = [b for b in benches if b["archived"]]
    assert archived and all(b["benchstatus"] == 40 for b in archived)
    assert any(b["benchsteptype"] == 30 for b in benches)  # optional Phase 2
    validated = [p for p in pictures if p["benchsteptype"] == 40]
    assert all(
        p["export"] and "validation_date" in p for p in validated if p["picturestatus"] >= 50
    )
    sizes = {(p["width"], p["height"]) for p in validated}
    assert len(sizes) > 3  # guideline sizes plus non-compliant ones
    assert any("icc_profile" not in p for p in validated)
    hashes = Counter(p["hash"] for p in pictures if p["benchsteptype"] == 10)
    assert any(n > 1 for n in hashes.values())  # duplicates across references
    assert any(p.get("look_id") for p in pictures)
    assert any(p["alerts"] for p in pictures)
    by_reference = {r["reference_id"]: r for r in references}
    for picture in pictures:
        reference = by_reference.get(picture.get("reference_id"))
        if reference is None or "view_type_code" not in picture:
            continue
        if "category_id" in reference:
            codes = {v["code"] for v in categories[reference["category_id"]]["view_types"]}
            assert picture["view_type_code"] in codes
    looks = {look["look_id"] for look in shared_catalog.records("looks")}
    members = shared_catalog.records("look_references")
    assert members and {m["look_id"] for m in members} <= looks
    assert all(m["reference_id"] in by_reference for m in members)


def test_mutation_update_bumps_date_mod_to_clock(catalog: Catalog) -> None:
    picture = catalog.records("pictures")[3]
    catalog.advance(days=1)
    catalog.update_pictures([picture["picture_id"]], picturestatus=31, comment_count=2)
    changed = next(
        p for p in catalog.records("pictures") if p["picture_id"] == picture["picture_id"]
    )
    assert changed["picturestatus"] == 31
    assert changed["comment_count"] == 2  # an unknown field, as schema drift would show
    assert changed["date_mod"] == "2026-11-21T09:30:00.000Z"
    reference = catalog.records("references")[0]
    catalog.update_references([reference["reference_id"]], comment=None, color="TEAL")
    updated = catalog.records("references")[0]
    assert updated["color"] == "TEAL" and "comment" not in updated
    assert updated["date_mod"] == "2026-11-21T09:30:00.000Z"


def test_mutation_add_and_delete_pictures(catalog: Catalog) -> None:
    before = catalog.records("pictures")
    new_ids = catalog.add_pictures(3)
    assert new_ids[0] > before[-1]["picture_id"] and new_ids == sorted(new_ids)
    after = catalog.records("pictures")
    assert [p["picture_id"] for p in after[-3:]] == new_ids
    assert all(p["benchsteptype"] == 10 and p["picturestatus"] == 10 for p in after[-3:])
    gone = [before[0]["picture_id"], new_ids[1]]
    catalog.delete_pictures(gone)
    ids = {p["picture_id"] for p in catalog.records("pictures")}
    assert not ids & set(gone)
    assert len(ids) == len(before) + 1
    simulator = GrandShootingSimulator(catalog, token="t", rate_limit=0)
    with (
        simulator.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as api,
    ):
        assert api.get(f"/picture/{gone[0]}").status_code == 404
        assert api.get("/picture").headers["X-Total-Count"] == str(len(ids))


def test_mutation_add_and_delete_references(catalog: Catalog) -> None:
    before = catalog.records("references")
    new_ids = catalog.add_references(2, brand="NEW BRAND")
    after = catalog.records("references")
    assert [r["reference_id"] for r in after[-2:]] == new_ids
    assert {r["brand"] for r in after[-2:]} == {"NEW BRAND"}
    catalog.delete_references([before[0]["reference_id"]])
    assert len(catalog.records("references")) == len(before) + 1


def test_mutation_deleted_ids_are_never_reused(catalog: Catalog) -> None:
    newest = catalog.add_pictures(1)[0]
    catalog.delete_pictures([newest])
    assert catalog.add_pictures(1) == [newest + 1]


def test_mutation_rejects_key_changes_and_unknown_ids(catalog: Catalog) -> None:
    first = catalog.records("pictures")[0]["picture_id"]
    with pytest.raises(ValueError, match="picture_id"):
        catalog.update_pictures([first], picture_id=1)
    with pytest.raises(KeyError):
        catalog.update_pictures([999_999_999], picturestatus=50)
    with pytest.raises(KeyError):
        catalog.records("nothing")
    with pytest.raises(KeyError):
        catalog.records("pictures", account_id=5)
