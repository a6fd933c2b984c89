"""The Sartiq simulator's data: every record by entity behind one lock, and its mutations.

The records' shapes live in one module per entity (`products`, `shot_types`, `shootings`,
`looks`, `revisions`); computed fields in `rollup`; what is served in `views`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from etl.simulators.sartiq import looks, products, shootings, shot_types, statuses
from etl.simulators.sartiq.looks import NotFound
from etl.simulators.sartiq.records import Clock, Ids, Json, set_fields
from etl.simulators.sartiq.revisions import append_push, append_revision
from etl.simulators.sartiq.rollup import rollup

# Resources `records()` knows, as the connector lands them.
RESOURCES = (
    "products",
    "shootings",
    "looks",
    "shots",
    "revisions",
    "revision_images",
    "push_records",
    "productions",
    "status_definitions",
    "main_products",
    "sample_products",
)


class Store:
    """Every record the simulated API knows, kept in its served shape, behind one lock.

    Soft-deleted records stay in the store with `deleted_at` set; the server hides them
    where the real API does.
    """

    def __init__(self, seed: int = 7, start: datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = Clock(start or datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
        self.ids = Ids(self.rng, self.clock)
        self.organizations: list[str] = []
        self.shot_types: dict[str, Json] = {}
        self.products: dict[str, Json] = {}
        self.shootings: dict[str, Json] = {}
        self.looks: dict[str, Json] = {}
        self.productions: dict[str, Json] = {}
        self.main_products: dict[str, list[str]] = {}
        self.sample_products: dict[str, list[str]] = {}
        self.status_definitions = statuses.status_definitions(self.ids)
        self.shooting_types = statuses.shooting_types(self.ids)
        self.owner_id = self.new_id()

    # ---- ids and time ---------------------------------------------------------------------
    def new_id(self) -> str:
        return self.ids.new_id()

    def stamp(self) -> str:
        """A fresh `updated_at`: the clock moves one millisecond so every change is visible."""
        return self.ids.stamp()

    # ---- adding records ---------------------------------------------------------------------
    def add_organization(self, organization_id: str | None = None) -> str:
        with self.lock:
            org = organization_id or self.new_id()
            if org not in self.organizations:
                self.organizations.append(org)
            return org

    def add_shot_type(
        self,
        organization_id: str | None,
        name: str,
        *,
        view_angle: str = "FRONT",
        framing: str = "FULL_BODY",
    ) -> Json:
        with self.lock:
            record = shot_types.shot_type(
                self.ids,
                organization_id,
                name,
                view_angle=view_angle,
                framing=framing,
                owner_id=self.owner_id,
            )
            self.shot_types[record["id"]] = record
            return record

    def add_product(self, organization_id: str | None, **fields: Any) -> Json:
        with self.lock:
            record = products.product(self.ids, organization_id, self.owner_id, **fields)
            self.products[record["id"]] = record
            return record

    def add_shooting(
        self,
        organization_id: str | None,
        *,
        name: str = "Shooting",
        phase: str | None = "PRODUCTION",
        shooting_type: str = "ecommerce",
        shot_type_ids: list[str] | None = None,
        rules: list[shootings.Rule] | None = None,
        allow_back_shots_without_back_image: bool = False,
        due_date: datetime | None = None,
        main_product_ids: list[str] | None = None,
        sample_product_ids: list[str] | None = None,
        require_test_shooting: bool = False,
        **fields: Any,
    ) -> Json:
        with self.lock:
            guidelines = shootings.Guidelines(
                shot_types=[self.shot_types[t] for t in shot_type_ids or []],
                rules=[
                    (kind, value, [self.shot_types[t] for t in ids])
                    for kind, value, ids in rules or []
                ],
                allow_back_shots_without_back_image=allow_back_shots_without_back_image,
            )
            record = shootings.shooting(
                self.ids,
                organization_id,
                self.owner_id,
                self.shooting_types[shooting_type],
                guidelines,
                name=name,
                phase=phase,
                due_date=due_date,
                require_test_shooting=require_test_shooting,
                fields=fields,
            )
            sid = record["id"]
            self.shootings[sid] = record
            self.main_products[sid] = list(main_product_ids or [])
            self.sample_products[sid] = list(sample_product_ids or [])
            return record

    def statuses_of(self, shooting_id: str) -> list[Json]:
        """The shooting's status definitions, worst to best."""
        shooting = self.shootings[shooting_id]
        key = shooting["shooting_type"]["key"]
        return self.status_definitions[key]

    def add_production(
        self, shooting_id: str, kind: str = "MAIN", *, deleted: bool = False
    ) -> Json:
        with self.lock:
            record = shootings.production(
                self.ids, self.shootings[shooting_id], kind, deleted=deleted
            )
            self.productions[record["id"]] = record
            return record

    def add_look(
        self,
        shooting_id: str,
        product_id: str | None,
        *,
        readiness: str = "READY",
        shots: list[dict[str, Any]] | None = None,
        **fields: Any,
    ) -> Json:
        """A look (production request); `shots` are keyword dicts for `add_shot`."""
        with self.lock:
            product = self.products.get(product_id) if product_id else None
            record = looks.look(self.ids, shooting_id, product_id, product, readiness, fields)
            self.looks[record["id"]] = record
            for spec in shots or []:
                self.add_shot(record["id"], **spec)
            self.rollup()
            return record

    def add_shot(
        self,
        look_id: str,
        shot_type_id: str | None,
        *,
        status: str = "PENDING",
        revisions: int | None = None,
        push: str | None = None,
        rework_used: int = 0,
        rework_available: int = 2,
    ) -> Json:
        """A shot of a look; `revisions` revisions lead up to `status` (0 for PENDING)."""
        with self.lock:
            look = self.looks[look_id]
            shot = looks.shot(
                self.ids,
                look_id,
                self.shot_types[shot_type_id] if shot_type_id else None,
                status=status,
                rework_used=rework_used,
                rework_available=rework_available,
            )
            look["shots"].append(shot)
            count = revisions if revisions is not None else (0 if status == "PENDING" else 1)
            keys = [d["key"] for d in self.statuses_of(look["shooting_id"])]
            for index in range(count):
                last = index == count - 1
                # Earlier revisions went through review and were sent back for rework.
                revision_status = status if last else ("REJECTED" if "REJECTED" in keys else status)
                self._append_revision(shot, revision_status, push if last else None)
            shot["status"] = status
            look["updated_at"] = self.stamp()
            self.rollup()
            return shot

    def add_revision(self, shot_id: str, shot_status: str, *, push: str | None = None) -> Json:
        """A new revision becomes the shot's current one and sets its status."""
        with self.lock:
            look, shot = self._find_shot(shot_id)
            revision = self._append_revision(shot, shot_status, push)
            shot["status"] = shot_status
            shot["updated_at"] = revision["updated_at"]
            look["updated_at"] = self.stamp()
            self.rollup()
            return revision

    def _append_revision(self, shot: Json, shot_status: str, push: str | None) -> Json:
        return append_revision(self.ids, self.owner_id, shot, shot_status, push)

    def add_push_record(self, revision_id: str, push_status: str) -> Json:
        with self.lock:
            look, _shot, revision = looks.find_revision(self.looks.values(), revision_id)
            record = append_push(self.ids, revision, push_status)
            revision["updated_at"] = record["updated_at"]
            look["updated_at"] = self.stamp()
            return record

    # ---- lookups ---------------------------------------------------------------------------
    def _find_shot(self, shot_id: str) -> tuple[Json, Json]:
        return looks.find_shot(self.looks.values(), shot_id)

    def iter_nested(self, look: Json) -> Iterator[tuple[str, Json]]:
        """(resource, record) for every shot, revision, image and push record of a look."""
        return looks.iter_nested(look)

    def find(self, resource: str, record_id: str) -> tuple[Json, Json | None]:
        """The record and the look holding it (None for top-level records)."""
        tables: dict[str, dict[str, Json]] = {
            "products": self.products,
            "shootings": self.shootings,
            "looks": self.looks,
            "productions": self.productions,
            "shot_types": self.shot_types,
        }
        if resource in tables:
            if record_id not in tables[resource]:
                raise NotFound(f"{resource} {record_id}")
            return tables[resource][record_id], None
        for look in self.looks.values():
            for kind, record in looks.iter_nested(look):
                if kind == resource and record["id"] == record_id:
                    return record, look
        raise NotFound(f"{resource} {record_id}")

    # ---- computed fields -------------------------------------------------------------------
    def rollup(self) -> None:
        """Recompute the computed fields (see `rollup`); they do not move `updated_at`."""
        with self.lock:
            rollup(self.looks, self.shootings, self.products, self._order)

    def _order(self, shooting_id: str) -> tuple[str, ...]:
        return tuple(d["key"] for d in self.statuses_of(shooting_id))

    # ---- mutations for tests ---------------------------------------------------------------
    def update(self, resource: str, record_id: str, **fields: Any) -> Json:
        """Change fields of a record; its `updated_at` (and its look's) moves to the clock."""
        with self.lock:
            record, look = self.find(resource, record_id)
            set_fields(record, fields, resource)
            if "updated_at" not in fields:
                record["updated_at"] = self.stamp()
            if look is not None:
                look["updated_at"] = self.stamp()
            self.rollup()
            return record

    def delete(self, resource: str, record_id: str) -> None:
        """Soft-delete a top-level record (`deleted_at`), hard-delete a nested one."""
        with self.lock:
            record, look = self.find(resource, record_id)
            if look is None:
                now = self.stamp()
                record["deleted_at"] = now
                record["updated_at"] = now
            else:
                looks.remove_nested(look, resource, record_id)
                look["updated_at"] = self.stamp()
            self.rollup()

    def set_main_products(self, shooting_id: str, product_ids: list[str]) -> None:
        with self.lock:
            self.main_products[shooting_id] = list(product_ids)

    def set_sample_products(self, shooting_id: str, product_ids: list[str]) -> None:
        with self.lock:
            self.sample_products[shooting_id] = list(product_ids)
