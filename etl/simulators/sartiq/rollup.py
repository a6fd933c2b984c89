"""The computed fields: least progressed shot status of looks, shootings and products, and a
product's export counts. They never move `updated_at`, as in the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from etl.simulators.sartiq.looks import iter_nested
from etl.simulators.sartiq.records import Json
from etl.simulators.sartiq.statuses import BASE_STATUSES, least, rank


def rollup(
    looks: Mapping[str, Json],
    shootings: Mapping[str, Json],
    products: Mapping[str, Json],
    order: Callable[[str], tuple[str, ...]],
) -> None:
    """Recompute every computed field; `order(shooting_id)` is that shooting's status order."""
    by_shooting: dict[str, list[str | None]] = {}
    by_product: dict[str, list[tuple[str | None, str]]] = {}
    exports: dict[str, list[int]] = {}
    for look in looks.values():
        if look["deleted_at"]:
            continue
        statuses = [shot["status"] for shot in look["shots"]]
        look["shot_status"] = least(statuses, order(look["shooting_id"]))
        by_shooting.setdefault(look["shooting_id"], []).append(look["shot_status"])
        if look["product_id"]:
            by_product.setdefault(look["product_id"], []).append((look["shot_status"], look["id"]))
            counts = exports.setdefault(look["product_id"], [0, 0])
            for kind, record in iter_nested(look):
                if kind == "push_records":
                    counts[1] += 1
                    counts[0] += record["push_status"] == "COMPLETED"
    for sid, shooting in shootings.items():
        status = least(by_shooting.get(sid, []), order(sid))
        shooting["shot_status"] = status
        shooting["status"] = status
    for pid, product in products.items():
        pairs = [p for p in by_product.get(pid, []) if p[0] is not None]
        if pairs:
            worst = min(pairs, key=lambda p: rank(p[0], BASE_STATUSES))
            product["shot_status"], product["shot_status_production_request_id"] = worst
        else:
            product["shot_status"] = None
            product["shot_status_production_request_id"] = None
        done, total = exports.get(pid, [0, 0])
        product["exports_completed"] = done if total else None
        product["exports_total"] = total if total else None
