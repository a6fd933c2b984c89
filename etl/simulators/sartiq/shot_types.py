"""Shot type records: the views a guideline asks for (front, back, detail...)."""

from __future__ import annotations

from etl.simulators.sartiq.records import Ids, Json


def shot_type(
    ids: Ids,
    organization_id: str | None,
    name: str,
    *,
    view_angle: str,
    framing: str,
    owner_id: str,
) -> Json:
    now = ids.stamp()
    return {
        "id": ids.new_id(),
        "name": name,
        "view_angle": view_angle,
        "framing": framing,
        "core_focus": False,
        "default_shot_type": None,
        "file_naming_convention": None,
        "margins": None,
        "organization_id": organization_id,
        "owner_id": owner_id,
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
