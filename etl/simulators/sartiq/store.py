"""The Sartiq simulator's data: records in the API's shape, rollups, mutations and a clock."""

from __future__ import annotations

import copy
import random
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]

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


def iso(moment: datetime | None) -> str | None:
    """Datetimes as FastAPI/pydantic serialise them: ISO-8601 UTC with a `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _set_fields(record: Json, fields: dict[str, Any], kind: str) -> None:
    """Set `fields` on `record`; a field the API's record does not have is refused."""
    unknown = set(fields) - set(record)
    if unknown:
        raise ValueError(f"unknown {kind} fields: {sorted(unknown)}")
    record.update(fields)


class Clock:
    """A settable clock: mutations stamp `updated_at` with it, so tests control time."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def advance(self, seconds: float = 1.0) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now


class NotFound(KeyError):
    """No record of that resource has that id."""


class Store:
    """Every record the simulated API knows, kept in its served shape, behind one lock.

    Soft-deleted records stay in the store with `deleted_at` set; the server hides them
    where the real API does.
    """

    def __init__(self, seed: int = 7, start: datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.clock = Clock(start or datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
        self.organizations: list[str] = []
        self.shot_types: dict[str, Json] = {}
        self.products: dict[str, Json] = {}
        self.shootings: dict[str, Json] = {}
        self.looks: dict[str, Json] = {}
        self.productions: dict[str, Json] = {}
        self.main_products: dict[str, list[str]] = {}
        self.sample_products: dict[str, list[str]] = {}
        self.status_definitions: dict[str, list[Json]] = {
            kind: [
                {
                    "id": self.new_id(),
                    "key": key,
                    "label": STATUS_LABELS.get(key, key.title()),
                    "sorting": (index + 1) * 10,
                }
                for index, key in enumerate(keys)
            ]
            for kind, keys in SHOOTING_TYPES.items()
        }
        self.shooting_types: dict[str, Json] = {
            kind: {
                "id": self.new_id(),
                "key": kind,
                "label": kind.title(),
                "description": None,
                "archived": False,
            }
            for kind in SHOOTING_TYPES
        }
        self.owner_id = self.new_id()

    # ---- ids and time ---------------------------------------------------------------------
    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> str:
        """A fresh `updated_at`: the clock moves one millisecond so every change is visible."""
        return iso(self.clock.advance(0.001)) or ""

    # ---- organisations and shot types -----------------------------------------------------
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
            now = self.stamp()
            record: Json = {
                "id": self.new_id(),
                "name": name,
                "view_angle": view_angle,
                "framing": framing,
                "core_focus": False,
                "default_shot_type": None,
                "file_naming_convention": None,
                "margins": None,
                "organization_id": organization_id,
                "owner_id": self.owner_id,
                "prompt": None,
                "prompt_builder_section": None,
                "public": False,
                "reference_image": None,
                "reference_image_url": None,
                "shot_type_prompt_instruction": None,
                "shot_type_ref_image_url": None,
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
            }
            self.shot_types[record["id"]] = record
            return record

    # ---- products --------------------------------------------------------------------------
    def add_product(self, organization_id: str | None, **fields: Any) -> Json:
        with self.lock:
            now = self.stamp()
            pid = fields.pop("id", None) or self.new_id()
            record: Json = {
                "id": pid,
                "created_at": now,
                "updated_at": now,
                "sku": None,
                "name": "Product",
                "brand": None,
                "master_item_code": None,
                "product_family": None,
                "product_type": None,
                "product_type_id": None,
                "gender": "UNISEX",
                "age_class": None,
                "placement": None,
                "zone": None,
                "type": None,
                "category": None,
                "colour": None,
                "season": None,
                "year": None,
                "brand_collection": None,
                "description": None,
                "cover_image_url": f"https://cdn.sartiq.test/{pid}/cover.jpg",
                "back_image_url": f"https://cdn.sartiq.test/{pid}/back.jpg",
                "reference_images": [],
                "data_image_urls": [],
                "public": False,
                "enabled": True,
                "archived": False,
                "demo": False,
                "is_filler": False,
                "incomplete": False,
                "deleted_at": None,
                "owner_id": self.owner_id,
                "organization_id": organization_id,
                "shot_status": None,
                "shot_status_production_request_id": None,
                "integration_name": None,
                "exports_completed": None,
                "exports_total": None,
                "shots": [],
            }
            _set_fields(record, fields, "product")
            self.products[pid] = record
            return record

    # ---- shootings -------------------------------------------------------------------------
    def add_shooting(
        self,
        organization_id: str | None,
        *,
        name: str = "Shooting",
        phase: str | None = "PRODUCTION",
        shooting_type: str = "ecommerce",
        shot_type_ids: list[str] | None = None,
        rules: list[tuple[str, str, list[str]]] | None = None,
        allow_back_shots_without_back_image: bool = False,
        due_date: datetime | None = None,
        main_product_ids: list[str] | None = None,
        sample_product_ids: list[str] | None = None,
        require_test_shooting: bool = False,
        **fields: Any,
    ) -> Json:
        with self.lock:
            now = self.stamp()
            sid = fields.pop("id", None) or self.new_id()
            kind = self.shooting_types[shooting_type]
            guideline: Json = {
                "id": self.new_id(),
                "name": f"{name} guidelines",
                "allow_back_shots_without_back_image": allow_back_shots_without_back_image,
                "auto_start_look_generations": False,
                "background_preset_id": None,
                "export_configuration_id": None,
                "generative_workflow_template_id": None,
                "organization_id": organization_id,
                "owner_id": self.owner_id,
                "pose_presets": [],
                "resolution_preset_id": None,
                "set_design": None,
                "set_design_id": None,
                "shot_types": [copy.deepcopy(self.shot_types[t]) for t in shot_type_ids or []],
                "shot_type_rules": [
                    {
                        "rule_kind": rule_kind,
                        "rule_value": rule_value,
                        "shot_types": [copy.deepcopy(self.shot_types[t]) for t in ids],
                    }
                    for rule_kind, rule_value, ids in rules or []
                ],
                "stylist_id": None,
                "subjects": [],
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
            }
            record: Json = {
                "id": sid,
                "created_at": now,
                "updated_at": now,
                "name": name,
                "description": None,
                "due_date": iso(due_date),
                "owner_id": self.owner_id,
                "organization_id": organization_id,
                "archived": False,
                "season": None,
                "collection": None,
                "brand": None,
                "default_guidelines_id": guideline["id"],
                "default_guidelines": guideline,
                "phase": phase,
                "require_test_shooting": require_test_shooting,
                "shooting_type_id": kind["id"],
                "shooting_type": copy.deepcopy(kind),
                "deleted_at": None,
                "shot_status": None,
                "status": None,
            }
            _set_fields(record, fields, "shooting")
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
            now = self.stamp()
            shooting = self.shootings[shooting_id]
            record: Json = {
                "id": self.new_id(),
                "shooting_id": shooting_id,
                "kind": kind,
                "archived": False,
                "created_at": now,
                "updated_at": now,
                "deleted_at": now if deleted else None,
                "guidelines_id": shooting["default_guidelines_id"],
            }
            self.productions[record["id"]] = record
            return record

    # ---- looks, shots, revisions -----------------------------------------------------------
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
            now = self.stamp()
            product = self.products.get(product_id) if product_id else None
            record: Json = {
                "id": fields.pop("id", None) or self.new_id(),
                "created_at": now,
                "updated_at": now,
                "shooting_id": shooting_id,
                "subject_id": None,
                "subject_name": None,
                "product_id": product_id,
                "product_name": product["name"] if product else None,
                "product_sku": product["sku"] if product else None,
                "product_cover_image_url": product["cover_image_url"] if product else None,
                "style_id": None,
                "resolution_preset_id": None,
                "width": None,
                "height": None,
                "background_preset_id": None,
                "set_design_id": None,
                "set_design": None,
                "export_configuration_id": None,
                "readiness": readiness,
                "shot_status": None,
                "assignee_id": None,
                "assignee": None,
                "pose_presets": [],
                "generative_workflow_template_id": None,
                "use_subject_mannequin_double": None,
                "deleted_at": None,
                "shots": [],
                "outfit_proposals": [],
                "outfit_id": None,
                "outfit": None,
                "outfit_ref_imgs_urls": [],
                "outfit_instruction": None,
                "outfit_product_ids": [],
            }
            _set_fields(record, fields, "look")
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
            now = self.stamp()
            shot: Json = {
                "id": self.new_id(),
                "production_request_id": look_id,
                "shot_type": copy.deepcopy(self.shot_types[shot_type_id]) if shot_type_id else None,
                "pose_preset_id": None,
                "rework_available": rework_available,
                "rework_used": rework_used,
                "status": status,
                "current_revision_id": None,
                "revisions": [],
                "created_at": now,
                "updated_at": now,
            }
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
        now = self.stamp()
        previous = shot["revisions"][-1]["id"] if shot["revisions"] else None
        revision: Json = {
            "id": self.new_id(),
            "shot_id": shot["id"],
            "version": len(shot["revisions"]) + 1,
            "notes": None,
            "shot_status": shot_status,
            "shot_revision_status": None,
            "owner_id": self.owner_id,
            "owner": None,
            "created_at": now,
            "updated_at": now,
            "previous_revision_id": previous,
            "images": [],
            "display_name": f"V{len(shot['revisions']) + 1}",
            "effective_image_url": None,
            "push_records": [],
            "push_status": None,
        }
        for number in range(1 + self.rng.randrange(2)):
            url = f"https://cdn.sartiq.test/revisions/{revision['id']}/{number}.jpg"
            revision["images"].append(
                {
                    "id": self.new_id(),
                    "shot_revision_id": revision["id"],
                    "source_type": "PREDICTION",
                    "prediction_id": None,
                    "refine_id": None,
                    "image_url": url,
                    "sketch_image_url": None,
                    "image_media": None,
                    "sketch_image_media": None,
                    "notes": None,
                    "autogenerated": True,
                    "created_at": now,
                    "updated_at": now,
                    "effective_image_url": url,
                }
            )
        revision["effective_image_url"] = revision["images"][0]["image_url"]
        if push:
            self._append_push(revision, push)
        shot["revisions"].append(revision)
        shot["current_revision_id"] = revision["id"]
        return revision

    def _append_push(self, revision: Json, push_status: str) -> Json:
        now = self.stamp()
        record: Json = {
            "id": self.new_id(),
            "created_at": now,
            "updated_at": now,
            "integration_id": "00000000-0000-4000-8000-00000000da11",
            "push_status": push_status,
            "pushed_at": now,
            "completed_at": now if push_status == "COMPLETED" else None,
            "error_message": "DAM rejected the file" if push_status == "FAILED" else None,
        }
        revision["push_records"].append(record)
        revision["push_status"] = aggregate_push_status(revision["push_records"])
        return record

    def add_push_record(self, revision_id: str, push_status: str) -> Json:
        with self.lock:
            look, shot, revision = self._find_revision(revision_id)
            record = self._append_push(revision, push_status)
            revision["updated_at"] = record["updated_at"]
            look["updated_at"] = self.stamp()
            return record

    # ---- lookups ---------------------------------------------------------------------------
    def _find_shot(self, shot_id: str) -> tuple[Json, Json]:
        for look in self.looks.values():
            for shot in look["shots"]:
                if shot["id"] == shot_id:
                    return look, shot
        raise NotFound(f"shot {shot_id}")

    def _find_revision(self, revision_id: str) -> tuple[Json, Json, Json]:
        for look in self.looks.values():
            for shot in look["shots"]:
                for revision in shot["revisions"]:
                    if revision["id"] == revision_id:
                        return look, shot, revision
        raise NotFound(f"revision {revision_id}")

    def iter_nested(self, look: Json) -> Iterator[tuple[str, Json]]:
        """(resource, record) for every shot, revision, image and push record of a look."""
        for shot in look["shots"]:
            yield "shots", shot
            for revision in shot["revisions"]:
                yield "revisions", revision
                for image in revision["images"]:
                    yield "revision_images", image
                for push in revision["push_records"]:
                    yield "push_records", push

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
            for kind, record in self.iter_nested(look):
                if kind == resource and record["id"] == record_id:
                    return record, look
        raise NotFound(f"{resource} {record_id}")

    # ---- rollups ---------------------------------------------------------------------------
    def rollup(self) -> None:
        """Recompute the computed fields: least progressed status of looks, shootings, products.

        Computed fields do not move `updated_at`, as in the API.
        """
        with self.lock:
            by_shooting: dict[str, list[str | None]] = {}
            by_product: dict[str, list[tuple[str | None, str]]] = {}
            exports: dict[str, list[int]] = {}
            for look in self.looks.values():
                if look["deleted_at"]:
                    continue
                order = self._order(look["shooting_id"])
                statuses = [shot["status"] for shot in look["shots"]]
                look["shot_status"] = least(statuses, order)
                by_shooting.setdefault(look["shooting_id"], []).append(look["shot_status"])
                if look["product_id"]:
                    by_product.setdefault(look["product_id"], []).append(
                        (look["shot_status"], look["id"])
                    )
                    counts = exports.setdefault(look["product_id"], [0, 0])
                    for kind, record in self.iter_nested(look):
                        if kind == "push_records":
                            counts[1] += 1
                            counts[0] += record["push_status"] == "COMPLETED"
            for sid, shooting in self.shootings.items():
                status = least(by_shooting.get(sid, []), self._order(sid))
                shooting["shot_status"] = status
                shooting["status"] = status
            for pid, product in self.products.items():
                pairs = [p for p in by_product.get(pid, []) if p[0] is not None]
                if pairs:
                    worst = min(pairs, key=lambda p: _rank(p[0], BASE_STATUSES))
                    product["shot_status"], product["shot_status_production_request_id"] = worst
                else:
                    product["shot_status"] = None
                    product["shot_status_production_request_id"] = None
                done, total = exports.get(pid, [0, 0])
                product["exports_completed"] = done if total else None
                product["exports_total"] = total if total else None

    def _order(self, shooting_id: str) -> tuple[str, ...]:
        return tuple(d["key"] for d in self.statuses_of(shooting_id))

    # ---- mutations for tests ---------------------------------------------------------------
    def update(self, resource: str, record_id: str, **fields: Any) -> Json:
        """Change fields of a record; its `updated_at` (and its look's) moves to the clock."""
        with self.lock:
            record, look = self.find(resource, record_id)
            _set_fields(record, fields, resource)
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
                self._remove_nested(look, resource, record_id)
                look["updated_at"] = self.stamp()
            self.rollup()

    def _remove_nested(self, look: Json, resource: str, record_id: str) -> None:
        for shot in list(look["shots"]):
            if resource == "shots" and shot["id"] == record_id:
                look["shots"].remove(shot)
                return
            for revision in list(shot["revisions"]):
                if resource == "revisions" and revision["id"] == record_id:
                    shot["revisions"].remove(revision)
                    latest = shot["revisions"][-1] if shot["revisions"] else None
                    shot["current_revision_id"] = latest["id"] if latest else None
                    shot["status"] = latest["shot_status"] if latest else "PENDING"
                    return
                for child in ("images", "push_records"):
                    for item in list(revision[child]):
                        if item["id"] == record_id:
                            revision[child].remove(item)
                            if child == "push_records":
                                revision["push_status"] = aggregate_push_status(
                                    revision["push_records"]
                                )
                            return

    def set_main_products(self, shooting_id: str, product_ids: list[str]) -> None:
        with self.lock:
            self.main_products[shooting_id] = list(product_ids)

    def set_sample_products(self, shooting_id: str, product_ids: list[str]) -> None:
        with self.lock:
            self.sample_products[shooting_id] = list(product_ids)


def _rank(key: str | None, order: tuple[str, ...]) -> int:
    # Unknown keys rank first: a status the list does not know is treated as least progressed.
    return order.index(key) if key in order else -1


def least(statuses: list[str | None], order: tuple[str, ...]) -> str | None:
    """The least progressed status (by the shooting's sorting), None without any."""
    known = [s for s in statuses if s is not None]
    if not known:
        return None
    return min(known, key=lambda s: _rank(s, order))


def aggregate_push_status(records: list[Json]) -> str | None:
    """FAILED > IN_PROGRESS > AWAITING_CONFIRMATION > PENDING > COMPLETED, None without push."""
    statuses = {r["push_status"] for r in records}
    for status in PUSH_PRIORITY:
        if status in statuses:
            return status
    return next(iter(statuses), None)
