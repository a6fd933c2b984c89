"""On the simulator's catalog, the marts reconcile with counts made independently in Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.config import Config
from etl.models import build
from etl.resources import EXAMPLE_GUIDELINES
from etl.simulators.grandshooting.catalog import Catalog, CatalogSpec, generate_catalog

from .catalog_loader import load_catalog
from .helpers import make_config, query

VALIDATED = {50, 51, 52, 55}
EXCLUDED = {1, 80}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return generate_catalog(CatalogSpec(references=300, seed=11, accounts=(0,)))


def _current(pictures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Current = no child, not trashed, not ignored or archived."""
    return [
        p
        for p in pictures
        if not p.get("child_ids")
        and not (p.get("smalltext") or "").startswith("__TRASH")
        and p.get("picturestatus") not in EXCLUDED
    ]


def _links(catalog: Catalog) -> dict[int, set[str]]:
    """picture_id -> refs it counts for (main, secondary, and its look's references)."""
    refs = {r["reference_id"]: r["ref"] for r in catalog.records("references")}
    known = set(refs.values())
    look_members: dict[int, set[str]] = {}
    for member in catalog.records("look_references"):
        ref = refs.get(member.get("reference_id")) or member.get("ref")
        if ref in known:
            look_members.setdefault(member["look_id"], set()).add(ref)
    out: dict[int, set[str]] = {}
    for p in catalog.records("pictures"):
        linked = {
            refs[i] for i in [p.get("reference_id"), *(p.get("reference_ids") or [])] if i in refs
        }
        linked |= {r for r in [p.get("reference_ref"), *(p.get("refs") or [])] if r in known}
        linked |= look_members.get(p.get("look_id") or -1, set())
        out[p["picture_id"]] = linked
    return out


def _built(folder: Path, catalog: Catalog, extra: str = "") -> Config:
    config = make_config(folder, extra=extra)
    load_catalog(config, catalog)
    result = build(config)
    assert result.ok, result.summary_lines()
    return config


def test_sums_reconcile_on_the_simulated_catalog(tmp_path: Path, catalog: Catalog) -> None:
    config = _built(tmp_path, catalog)
    current = _current(catalog.records("pictures"))
    links = _links(catalog)
    validated_links = sum(
        len(links[p["picture_id"]]) for p in current if p["picturestatus"] in VALIDATED
    )
    assert validated_links > 0
    assert query(config, "select sum(validated_images) from marts.shotlist_coverage") == [
        (validated_links,)
    ]
    assert query(config, "select sum(deliverables) from marts.status_breakdown") == [
        (len(current),)
    ]
    assert query(config, "select count(*) from marts.deliverables") == [(len(current),)]
    assert query(config, "select count(*) from marts.products") == [(300,)]
    # Every reference with a synced category gets it; the others have no guideline (no file).
    with_category = sum(1 for r in catalog.records("references") if r.get("category_id"))
    assert query(
        config,
        "select count(*) from marts.products where guideline_origin = 'api_category'",
    ) == [(with_category,)]


def test_scope_and_example_guidelines_on_the_simulated_catalog(
    tmp_path: Path, catalog: Catalog
) -> None:
    brand = catalog.records("references")[0]["brand"]
    example = EXAMPLE_GUIDELINES.read_text(encoding="utf-8")
    (tmp_path / "guidelines.toml").write_text(example, encoding="utf-8")
    config = _built(
        tmp_path,
        catalog,
        extra=f'[guidelines]\npath = "guidelines.toml"\n[scope]\nbrands = ["{brand}"]\n',
    )
    brands = {r["ref"]: r.get("brand") for r in catalog.records("references")}
    links = _links(catalog)
    expected = sum(
        1
        for p in _current(catalog.records("pictures"))
        if p["picturestatus"] in VALIDATED
        for ref in links[p["picture_id"]]
        if brands[ref] == brand
    )
    assert query(config, "select sum(validated_images) from marts.shotlist_coverage") == [
        (expected,)
    ]
    in_brand = sum(1 for b in brands.values() if b == brand)
    assert query(config, "select count(*) from marts.shotlist_coverage") == [(in_brand,)]
    # References without a category now fall back to the example file's guidelines.
    assert query(
        config,
        "select count(*) from marts.shotlist_coverage where coverage_status = 'no_guideline'",
    ) == [(0,)]
