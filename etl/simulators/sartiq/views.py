"""What the simulated Sartiq API serves: scoping, soft-delete hiding, ordering, flattening."""

from __future__ import annotations

import copy
from typing import Any

from etl.simulators.sartiq.records import Json
from etl.simulators.sartiq.store import RESOURCES, Store


def _by_created(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["created_at"], r["id"]))


def products(
    store: Store,
    organization_id: str | None,
    *,
    enabled: bool | None = True,
    archived: bool | None = None,
) -> list[Json]:
    """Products of one scope (None: personal); soft-deleted ones are hidden."""
    rows = [
        p
        for p in store.products.values()
        if p["organization_id"] == organization_id
        and p["deleted_at"] is None
        and (enabled is None or p["enabled"] == enabled)
        and (archived is None or p["archived"] == archived)
    ]
    return _by_created(rows)


def shootings(store: Store, organization_id: str | None) -> list[Json]:
    rows = [
        s
        for s in store.shootings.values()
        if s["organization_id"] == organization_id and s["deleted_at"] is None
    ]
    return _by_created(rows)


def looks(store: Store, shooting_id: str) -> list[Json]:
    rows = [
        look
        for look in store.looks.values()
        if look["shooting_id"] == shooting_id and look["deleted_at"] is None
    ]
    return _by_created(rows)


def productions(
    store: Store, shooting_id: str, *, include_deleted: bool = False, kind: str | None = None
) -> list[Json]:
    rows = [
        p
        for p in store.productions.values()
        if p["shooting_id"] == shooting_id
        and (include_deleted or p["deleted_at"] is None)
        and (kind is None or p["kind"] == kind)
    ]
    return _by_created(rows)


def shooting_products(store: Store, shooting_id: str, which: str) -> list[Json]:
    """Main or sample products of a shooting, in the order they were attached."""
    ids = (store.main_products if which == "main" else store.sample_products)[shooting_id]
    return [
        store.products[pid]
        for pid in ids
        if pid in store.products and store.products[pid]["deleted_at"] is None
    ]


def shots(store: Store, organization_id: str | None, filters: dict[str, str]) -> list[Json]:
    """`GET /shots/`: shots of the scope's shootings, filtered like the API."""
    rows: list[Json] = []
    for shooting in shootings(store, organization_id):
        if filters.get("shooting_id") not in (None, shooting["id"]):
            continue
        for look in looks(store, shooting["id"]):
            if filters.get("production_request_id") not in (None, look["id"]):
                continue
            if filters.get("product_id") not in (None, look["product_id"]):
                continue
            for shot in look["shots"]:
                if filters.get("status") not in (None, shot["status"]):
                    continue
                shot_type = (shot["shot_type"] or {}).get("id")
                if filters.get("shot_type") not in (None, shot_type):
                    continue
                rows.append(shot)
    return rows


def children(store: Store, resource: str, shooting_id: str) -> list[Json]:
    """One shooting's records of a per-shooting resource, nested ones flattened."""
    if resource == "productions":
        return productions(store, shooting_id, include_deleted=True)
    if resource == "status_definitions":
        return store.statuses_of(shooting_id)
    if resource in ("main_products", "sample_products"):
        return shooting_products(store, shooting_id, resource.split("_")[0])
    rows: list[Json] = []
    for look in looks(store, shooting_id):
        if resource == "looks":
            rows.append(look)
            continue
        rows.extend(record for kind, record in store.iter_nested(look) if kind == resource)
    return rows


def records(
    store: Store, resource: str, organization_id: str | None, parent_id: str | None = None
) -> list[Json]:
    """Exactly what a complete read of `resource` in one scope returns, as deep copies.

    Products include disabled ones (a sync reads both `enabled` values). Per-shooting resources
    cover every visible shooting of the scope, or only `parent_id`.
    """
    if resource not in RESOURCES:
        raise KeyError(f"unknown resource {resource!r} (known: {', '.join(RESOURCES)})")
    with store.lock:
        rows: list[Any]
        if resource == "products":
            rows = products(store, organization_id, enabled=None)
        elif resource == "shootings":
            rows = shootings(store, organization_id)
        else:
            parents = (
                [parent_id]
                if parent_id is not None
                else [s["id"] for s in shootings(store, organization_id)]
            )
            rows = [row for sid in parents for row in children(store, resource, sid)]
        return copy.deepcopy(rows)
