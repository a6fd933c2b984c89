"""Sartiq's status vocabulary: shooting types, the shot statuses each allows, push statuses."""

from __future__ import annotations

from etl.simulators.sartiq.records import Ids, Json

BASE_STATUSES = (
    "PENDING",
    "PROPOSAL",
    "REJECTED",
    "POST_PROD",
    "POST_PROD_REJECTED",
    "REVIEW",
    "APPROVED",
)
STATUS_LABELS = {
    "PENDING": "Pending",
    "PROPOSAL": "Proposal",
    "REJECTED": "Rejected",
    "POST_PROD": "Post-production",
    "POST_PROD_REJECTED": "Post-production rejected",
    "REVIEW": "In review",
    "APPROVED": "Approved",
    "ON_HOLD": "On hold",
    "COMPLETED": "Completed",
}
# Shooting types decide which status keys a shooting's shots may take (worst to best).
SHOOTING_TYPES: dict[str, tuple[str, ...]] = {
    "ecommerce": BASE_STATUSES,
    # ON_HOLD is not in the documented lists: the connector must store it as it comes.
    "campaign": ("ON_HOLD", *BASE_STATUSES, "COMPLETED"),
}
PUSH_PRIORITY = ("FAILED", "IN_PROGRESS", "AWAITING_CONFIRMATION", "PENDING", "COMPLETED")
PHASES = ("BRIEF", "TEST_SHOOTING", "PRODUCTS_SELECTION", "AGREEMENT", "PRODUCTION", "CLOSED")


def status_definitions(ids: Ids) -> dict[str, list[Json]]:
    """Per shooting type, its status definitions (`production-request-statuses`), worst first."""
    return {
        kind: [
            {
                "id": ids.new_id(),
                "key": key,
                "label": STATUS_LABELS.get(key, key.title()),
                "sorting": (index + 1) * 10,
            }
            for index, key in enumerate(keys)
        ]
        for kind, keys in SHOOTING_TYPES.items()
    }


def shooting_types(ids: Ids) -> dict[str, Json]:
    """The shooting type records a shooting embeds, by key."""
    return {
        kind: {
            "id": ids.new_id(),
            "key": kind,
            "label": kind.title(),
            "description": None,
            "archived": False,
        }
        for kind in SHOOTING_TYPES
    }


def rank(key: str | None, order: tuple[str, ...]) -> int:
    # Unknown keys rank first: a status the list does not know is treated as least progressed.
    return order.index(key) if key in order else -1


def least(statuses: list[str | None], order: tuple[str, ...]) -> str | None:
    """The least progressed status (by the shooting's sorting), None without any."""
    known = [s for s in statuses if s is not None]
    if not known:
        return None
    return min(known, key=lambda s: rank(s, order))


def aggregate_push_status(records: list[Json]) -> str | None:
    """FAILED > IN_PROGRESS > AWAITING_CONFIRMATION > PENDING > COMPLETED, None without push."""
    statuses = {r["push_status"] for r in records}
    for status in PUSH_PRIORITY:
        if status in statuses:
            return status
    return next(iter(statuses), None)
