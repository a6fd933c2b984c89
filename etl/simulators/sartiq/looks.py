"""Look (production request) and shot records, and walks over what a look nests."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from etl.simulators.sartiq.records import Ids, Json, set_fields
from etl.simulators.sartiq.statuses import aggregate_push_status


class NotFound(KeyError):
    """No record of that resource has that id."""


def look(
    ids: Ids,
    shooting_id: str,
    product_id: str | None,
    product: Json | None,
    readiness: str,
    fields: dict[str, Any],
) -> Json:
    """A look of product `product_id` (its record, None if unknown, fills the product
    columns); `fields` override the defaults (`id` too)."""
    now = ids.stamp()
    record: Json = {
        "id": fields.pop("id", None) or ids.new_id(),
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
        # Computed by the rollup from the look's shots.
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
    set_fields(record, fields, "look")
    return record


def shot(
    ids: Ids,
    look_id: str,
    shot_type: Json | None,
    *,
    status: str,
    rework_used: int,
    rework_available: int,
) -> Json:
    """A shot of a look, without revisions yet."""
    now = ids.stamp()
    return {
        "id": ids.new_id(),
        "production_request_id": look_id,
        "shot_type": copy.deepcopy(shot_type) if shot_type else None,
        "pose_preset_id": None,
        "rework_available": rework_available,
        "rework_used": rework_used,
        "status": status,
        "current_revision_id": None,
        "revisions": [],
        "created_at": now,
        "updated_at": now,
    }


def iter_nested(look_record: Json) -> Iterator[tuple[str, Json]]:
    """(resource, record) for every shot, revision, image and push record of a look."""
    for shot_record in look_record["shots"]:
        yield "shots", shot_record
        for revision in shot_record["revisions"]:
            yield "revisions", revision
            for image in revision["images"]:
                yield "revision_images", image
            for push in revision["push_records"]:
                yield "push_records", push


def find_shot(looks: Iterable[Json], shot_id: str) -> tuple[Json, Json]:
    """The look holding shot `shot_id`, and the shot."""
    for look_record in looks:
        for shot_record in look_record["shots"]:
            if shot_record["id"] == shot_id:
                return look_record, shot_record
    raise NotFound(f"shot {shot_id}")


def find_revision(looks: Iterable[Json], revision_id: str) -> tuple[Json, Json, Json]:
    """The look and shot holding revision `revision_id`, and the revision."""
    for look_record in looks:
        for shot_record in look_record["shots"]:
            for revision in shot_record["revisions"]:
                if revision["id"] == revision_id:
                    return look_record, shot_record, revision
    raise NotFound(f"revision {revision_id}")


def remove_nested(look_record: Json, resource: str, record_id: str) -> None:
    """Hard-delete a shot, revision, image or push record of a look; a shot whose current
    revision goes falls back to the one before (PENDING without any)."""
    for shot_record in list(look_record["shots"]):
        if resource == "shots" and shot_record["id"] == record_id:
            look_record["shots"].remove(shot_record)
            return
        for revision in list(shot_record["revisions"]):
            if resource == "revisions" and revision["id"] == record_id:
                shot_record["revisions"].remove(revision)
                latest = shot_record["revisions"][-1] if shot_record["revisions"] else None
                shot_record["current_revision_id"] = latest["id"] if latest else None
                shot_record["status"] = latest["shot_status"] if latest else "PENDING"
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
