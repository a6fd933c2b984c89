"""Simulated days of studio work on the Sartiq store: shots move through their statuses (a new
revision each time), approved ones are pushed to the DAM, shootings start and close, new
products arrive with a look to shoot. Every change is stamped inside its day, so `updated_at`
moves exactly where something changed."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from etl.simulators.chances import first_drawn
from etl.simulators.sartiq.generator import (
    GENDERS,
    PRODUCT_TYPES,
    add_catalogue_product,
    expected_types,
)
from etl.simulators.sartiq.records import Json
from etl.simulators.sartiq.store import Store

DAY = timedelta(days=1)
# Shots move only in shootings being shot; an agreed shooting starts, a finished one closes.
MOVING_PHASES = ("TEST_SHOOTING", "PRODUCTION")
START_CHANCE = 0.2
CLOSE_CHANCE = 0.5
NEW_PRODUCT_CHANCE = 0.5
PUSH_OUTCOMES = (("COMPLETED", 0.8), ("FAILED", 0.1), ("PENDING", 0.1))
REPUSH_CHANCE = 0.4


@dataclass(frozen=True)
class ShotMove:
    """With `chance` a day, a shot in this status takes `to` through a new revision (`rework`:
    a reshoot or a redo, counted in `rework_used`)."""

    name: str
    chance: float
    to: str
    rework: bool = False


# A shot's status -> the moves tried in order (one a day at most); a move to a status the
# shooting's type does not have is skipped.
SHOT_MOVES: dict[str, tuple[ShotMove, ...]] = {
    "ON_HOLD": (ShotMove("resumed", 0.15, "PENDING"),),
    "PENDING": (ShotMove("proposed", 0.30, "PROPOSAL"),),
    "PROPOSAL": (ShotMove("accepted", 0.30, "POST_PROD"), ShotMove("refused", 0.10, "REJECTED")),
    "REJECTED": (ShotMove("reshot", 0.40, "PROPOSAL", rework=True),),
    "POST_PROD": (
        ShotMove("retouched", 0.35, "REVIEW"),
        ShotMove("refused_in_post_prod", 0.08, "POST_PROD_REJECTED"),
    ),
    "POST_PROD_REJECTED": (ShotMove("reworked", 0.40, "POST_PROD", rework=True),),
    "REVIEW": (ShotMove("validated", 0.30, "APPROVED"), ShotMove("refused", 0.08, "REJECTED")),
    "APPROVED": (ShotMove("completed", 0.20, "COMPLETED"),),
}


@dataclass
class Progress:
    """What advancing changed: moves counted by name, and the ids of what changed or came."""

    counts: Counter[str] = field(default_factory=Counter)
    shots: set[str] = field(default_factory=set)
    looks: set[str] = field(default_factory=set)
    shootings: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)

    def add(self, other: Progress) -> None:
        self.counts.update(other.counts)
        self.shots |= other.shots
        self.looks |= other.looks
        self.shootings |= other.shootings
        self.products |= other.products


def _draw(rng: random.Random, moves: tuple[ShotMove, ...], keys: list[str]) -> ShotMove | None:
    move = first_drawn(rng, [(m, m.chance) for m in moves])
    return move if move is not None and move.to in keys else None


def _open(store: Store) -> list[Json]:
    return [
        s
        for s in store.shootings.values()
        if s["deleted_at"] is None and s["organization_id"] in (None, *store.organizations)
    ]


def advance_days(store: Store, days: int, rng: random.Random | None = None) -> Progress:
    """Run `days` simulated days; the clock ends `days` later. Without `rng`, each day draws
    from a generator seeded by the store's seed and the day, so the same store advanced the
    same way always gives the same records."""
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    progress = Progress()
    with store.lock:
        for _ in range(days):
            start = store.clock.now()
            day_rng = rng or random.Random(f"sartiq-day:{store.seed}:{start.isoformat()}")
            progress.add(_day(store, start, day_rng))
            store.clock.set(start + DAY)
    return progress


class _Day:
    """Moves the store's clock to successive moments of the day before each change."""

    def __init__(self, store: Store, start: datetime, events: int) -> None:
        self._store = store
        self._start = start
        self._step = DAY / (events + 1)
        self._done = 0

    def tick(self) -> None:
        self._done += 1
        target = self._start + self._step * self._done
        self._store.clock.set(max(target, self._store.clock.now()))


def _day(store: Store, start: datetime, rng: random.Random) -> Progress:
    progress = Progress()
    shootings = _open(store)
    moves: list[tuple[Json, Json, ShotMove]] = []
    repushes: list[tuple[Json, Json]] = []
    for shooting in shootings:
        if shooting["phase"] not in MOVING_PHASES:
            continue
        keys = [d["key"] for d in store.statuses_of(shooting["id"])]
        for look in store.looks.values():
            if look["shooting_id"] != shooting["id"] or look["deleted_at"] is not None:
                continue
            for shot in look["shots"]:
                found = SHOT_MOVES.get(shot["status"])
                move = _draw(rng, found, keys) if found else None
                if move is not None:
                    moves.append((look, shot, move))
                current = shot["revisions"][-1] if shot["revisions"] else None
                waiting = current is not None and current["push_status"] in ("FAILED", "PENDING")
                if move is None and waiting and rng.random() < REPUSH_CHANCE:
                    repushes.append((look, shot))
    starting = [s for s in shootings if s["phase"] == "AGREEMENT" and rng.random() < START_CHANCE]
    scopes = [s for s in (*store.organizations, None) if _has_products(store, s)]
    arriving = [scope for scope in scopes if rng.random() < NEW_PRODUCT_CHANCE]
    # Closings are decided after the moves: leave a moment for every shooting.
    events = len(moves) + len(repushes) + len(shootings) + len(arriving)
    day = _Day(store, start, events)
    for look, shot, move in moves:
        day.tick()
        _move_shot(store, look, shot, move, rng, progress)
    for look, shot in repushes:
        day.tick()
        store.add_push_record(shot["revisions"][-1]["id"], "COMPLETED")
        progress.counts["pushed"] += 1
        progress.shots.add(shot["id"])
        progress.looks.add(look["id"])
    for shooting in starting:
        day.tick()
        store.update("shootings", shooting["id"], phase="PRODUCTION")
        progress.counts["shooting_started"] += 1
        progress.shootings.add(shooting["id"])
    for shooting in shootings:
        finished = shooting["phase"] == "PRODUCTION" and _finished(store, shooting)
        if finished and rng.random() < CLOSE_CHANCE:
            day.tick()
            store.update("shootings", shooting["id"], phase="CLOSED")
            progress.counts["shooting_closed"] += 1
            progress.shootings.add(shooting["id"])
    for scope in arriving:
        day.tick()
        _new_product(store, scope, rng, progress)
    return progress


def _move_shot(
    store: Store, look: Json, shot: Json, move: ShotMove, rng: random.Random, progress: Progress
) -> None:
    if move.rework:
        store.update("shots", shot["id"], rework_used=shot["rework_used"] + 1)
    push = None
    if move.to == "APPROVED":
        push = first_drawn(rng, PUSH_OUTCOMES) or PUSH_OUTCOMES[0][0]
    store.add_revision(shot["id"], move.to, push=push)
    progress.counts[move.name] += 1
    progress.shots.add(shot["id"])
    progress.looks.add(look["id"])


def _has_products(store: Store, scope: str | None) -> bool:
    return any(p["organization_id"] == scope for p in store.products.values())


def _finished(store: Store, shooting: Json) -> bool:
    """Every shot of the shooting's looks approved (or completed): nothing left to shoot."""
    shots = [
        shot
        for look in store.looks.values()
        if look["shooting_id"] == shooting["id"] and look["deleted_at"] is None
        for shot in look["shots"]
    ]
    return bool(shots) and all(shot["status"] in ("APPROVED", "COMPLETED") for shot in shots)


def _new_product(store: Store, scope: str | None, rng: random.Random, progress: Progress) -> None:
    """A product arrives in `scope`; a shooting in production of the scope takes it on, with a
    look whose shots are all to do."""
    product_type = PRODUCT_TYPES[rng.randrange(len(PRODUCT_TYPES))]
    gender = GENDERS[rng.randrange(len(GENDERS))]
    name = f"{product_type.title()} {len(store.products) + 1}"
    product = add_catalogue_product(store, scope, product_type, gender, name=name, season="FW24")
    progress.counts["new_products"] += 1
    progress.products.add(product["id"])
    shooting = next(
        (s for s in _open(store) if s["organization_id"] == scope and s["phase"] == "PRODUCTION"),
        None,
    )
    if shooting is None:
        return
    store.set_main_products(shooting["id"], [*store.main_products[shooting["id"]], product["id"]])
    shots = [{"shot_type_id": t} for t in expected_types(shooting, product)]
    look = store.add_look(shooting["id"], product["id"], shots=shots)
    progress.counts["looks_added"] += 1
    progress.looks.add(look["id"])
    progress.shots.update(shot["id"] for shot in look["shots"])
