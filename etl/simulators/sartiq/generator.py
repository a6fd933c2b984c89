"""Seeded, deterministic Sartiq data: shootings in every phase, looks, shots, guidelines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from etl.simulators.sartiq.records import Json
from etl.simulators.sartiq.statuses import SHOOTING_TYPES
from etl.simulators.sartiq.store import Store

PRODUCT_TYPES = ("t-shirt", "dress", "shoes", "jeans", "bag")
GENDERS = ("MALE", "FEMALE", "UNISEX")
SHOT_TYPES = (
    ("Front", "FRONT", "FULL_BODY"),
    ("Back", "BACK", "FULL_BODY"),
    ("Side", "SIDE", "FULL_BODY"),
    ("Detail", "FRONT", "CLOSE_UP"),
    ("Sole", "BOTTOM", "CLOSE_UP"),
    ("Worn", "FRONT", "HALF_BODY"),
)
# One shooting per phase (None: old shootings without a phase), plus a second in production.
SHOOTING_PHASES: tuple[str | None, ...] = (
    "BRIEF",
    "TEST_SHOOTING",
    "PRODUCTS_SELECTION",
    "AGREEMENT",
    "PRODUCTION",
    "PRODUCTION",
    "CLOSED",
    None,
)
PUSH_OUTCOMES = ("COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "PENDING", "IN_PROGRESS")


def populate(
    store: Store,
    *,
    organizations: int = 2,
    products_per_org: int = 24,
    shootings_per_org: int = len(SHOOTING_PHASES),
    personal: bool = True,
) -> None:
    """Fill `store` with a realistic catalogue; the same seed always gives the same data."""
    scopes: list[str | None] = [store.add_organization() for _ in range(organizations)]
    if personal:
        scopes.append(None)
    for scope in scopes:
        small = scope is None
        _populate_scope(
            store,
            scope,
            products=max(5, products_per_org // 4) if small else products_per_org,
            shootings=2 if small else shootings_per_org,
            phases=("PRODUCTION", "CLOSED") if small else SHOOTING_PHASES,
        )
    store.rollup()


def add_catalogue_product(
    store: Store, scope: str | None, product_type: str, gender: str, **fields: Any
) -> Json:
    """A product of the demo brand: the next SKU, its family from its type, `fields` on top."""
    return store.add_product(
        scope,
        sku=f"SKU-{len(store.products) + 1:05d}",
        brand="Maison Demo",
        product_type=product_type,
        product_family="footwear" if product_type == "shoes" else "apparel",
        gender=gender,
        year=2024,
        **fields,
    )


def _populate_scope(
    store: Store,
    scope: str | None,
    *,
    products: int,
    shootings: int,
    phases: tuple[str | None, ...],
) -> None:
    rng = store.rng
    types = {
        name: store.add_shot_type(scope, name, view_angle=angle, framing=framing)["id"]
        for name, angle, framing in SHOT_TYPES
    }
    catalogue: list[Json] = []
    for index in range(products):
        product_type = PRODUCT_TYPES[index % len(PRODUCT_TYPES)]
        gender = GENDERS[rng.randrange(len(GENDERS))]
        if index == 3:
            gender = "KIDS"  # not a documented ProductGender: stored as it comes
        product = add_catalogue_product(
            store,
            scope,
            product_type,
            gender,
            name=f"{product_type.title()} {index + 1}",
            season=("SS24", "FW24")[index % 2],
            colour=("black", "white", "navy", "red")[index % 4],
            enabled=index % 7 != 5,
            archived=index % 11 == 9,
        )
        if index % 4 == 2:
            product["back_image_url"] = None
        catalogue.append(product)
    # One product deleted after creation: it vanishes from every list.
    store.delete("products", catalogue[-1]["id"])
    usable = [p for p in catalogue[:-1] if p["enabled"]]

    for index in range(shootings):
        phase = phases[index % len(phases)]
        kind = "campaign" if index % 3 == 2 else "ecommerce"
        base = [types["Front"], types["Back"]]
        if index % 2:
            base.append(types["Detail"])
        rules = [("product_type", "shoes", [types["Sole"]]), ("gender", "female", [types["Worn"]])]
        start = rng.randrange(len(usable))
        main = [usable[(start + k) % len(usable)]["id"] for k in range(3 + index % 3)]
        due = store.clock.now() + timedelta(days=rng.randrange(-20, 40))
        shooting = store.add_shooting(
            scope,
            name=f"{'Personal' if scope is None else 'Shooting'} {index + 1} ({phase or 'legacy'})",
            phase=phase,
            shooting_type=kind,
            shot_type_ids=base,
            rules=rules,
            allow_back_shots_without_back_image=index % 4 == 1,
            due_date=due,
            main_product_ids=main,
            sample_product_ids=main[:1],
            require_test_shooting=index % 2 == 1,
            season="SS24",
            brand="Maison Demo",
        )
        sid = shooting["id"]
        if phase not in (None, "BRIEF") and shooting["require_test_shooting"]:
            store.add_production(sid, "TEST")
            store.add_production(sid, "TEST", deleted=True)
        if phase in ("AGREEMENT", "PRODUCTION", "CLOSED", None):
            store.add_production(sid, "MAIN")
        _add_looks(store, shooting, main, usable)
    if shootings > 1:
        # A deleted shooting: hidden from the list, its looks with it.
        gone = store.add_shooting(scope, name="Cancelled shooting", phase="BRIEF")
        store.delete("shootings", gone["id"])


def expected_types(shooting: Json, product: Json) -> list[str]:
    guideline = shooting["default_guidelines"]
    ids = [t["id"] for t in guideline["shot_types"]]
    for rule in guideline["shot_type_rules"]:
        value = product.get(rule["rule_kind"])
        if isinstance(value, str) and value.lower() == str(rule["rule_value"]).lower():
            ids.extend(t["id"] for t in rule["shot_types"] if t["id"] not in ids)
    return ids


def _add_looks(store: Store, shooting: Json, main: list[str], usable: list[Json]) -> None:
    rng = store.rng
    phase = shooting["phase"]
    if phase in ("BRIEF", "PRODUCTS_SELECTION"):
        return
    if phase == "TEST_SHOOTING":
        product_ids = main[:1]
    elif phase == "PRODUCTION":
        # The last main product has no look yet: a guideline alert.
        product_ids = main[:-1] + [usable[rng.randrange(len(usable))]["id"]]
    else:
        product_ids = list(main)
    keys = list(SHOOTING_TYPES[shooting["shooting_type"]["key"]])
    all_types = [
        t for t in store.shot_types.values() if t["organization_id"] == shooting["organization_id"]
    ]
    for number, product_id in enumerate(product_ids):
        product = store.products[product_id]
        shots: list[dict[str, Any]] = []
        expected = expected_types(shooting, product)
        for position, type_id in enumerate(expected):
            if rng.random() < 0.12 and position > 0:
                continue  # a missing shot
            shots.append(_shot_spec(rng, phase, keys, type_id))
        if rng.random() < 0.2:
            outside = [t["id"] for t in all_types if t["id"] not in expected]
            if outside:
                shots.append(_shot_spec(rng, phase, keys, outside[rng.randrange(len(outside))]))
        readiness = "DRAFT" if phase == "AGREEMENT" and number == 0 else "READY"
        look = store.add_look(shooting["id"], product_id, readiness=readiness, shots=shots)
        if number == 1 and phase == "PRODUCTION":
            store.delete("looks", look["id"])


def _shot_spec(rng: Any, phase: str | None, keys: list[str], type_id: str) -> dict[str, Any]:
    if phase in ("CLOSED", None):
        status = keys[-1] if rng.random() < 0.6 else "APPROVED"
    elif phase == "AGREEMENT":
        status = "PENDING"
    else:
        status = keys[rng.randrange(len(keys))]
    revisions = 0 if status == "PENDING" else 1 + rng.randrange(3)
    push = None
    if status in ("APPROVED", "COMPLETED"):
        push = "COMPLETED" if status == "COMPLETED" else PUSH_OUTCOMES[rng.randrange(6)]
    available = 2
    used = max(0, revisions - 1) + (1 if rng.random() < 0.1 else 0)
    return {
        "shot_type_id": type_id,
        "status": status,
        "revisions": revisions,
        "push": push,
        "rework_used": used,
        "rework_available": available,
    }
