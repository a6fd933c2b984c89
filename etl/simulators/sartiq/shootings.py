"""Shooting records with their default guidelines, and the productions (MAIN/TEST) of one."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from etl.simulators.sartiq.records import Ids, Json, iso, set_fields

# (rule_kind, rule_value, shot type ids): products whose field matches get those shot types.
Rule = tuple[str, str, list[str]]


@dataclass(frozen=True)
class Guidelines:
    """What a shooting's default guidelines ask for: shot types, rules adding more by
    product field, and whether back shots may go without a product back image."""

    shot_types: list[Json] = field(default_factory=list)
    rules: list[tuple[str, str, list[Json]]] = field(default_factory=list)
    allow_back_shots_without_back_image: bool = False


def _guidelines(
    ids: Ids, name: str, organization_id: str | None, owner_id: str, wanted: Guidelines, now: str
) -> Json:
    return {
        "id": ids.new_id(),
        "name": f"{name} guidelines",
        "allow_back_shots_without_back_image": wanted.allow_back_shots_without_back_image,
        "auto_start_look_generations": False,
        "background_preset_id": None,
        "export_configuration_id": None,
        "generative_workflow_template_id": None,
        "organization_id": organization_id,
        "owner_id": owner_id,
        "pose_presets": [],
        "resolution_preset_id": None,
        "set_design": None,
        "set_design_id": None,
        "shot_types": [copy.deepcopy(t) for t in wanted.shot_types],
        "shot_type_rules": [
            {
                "rule_kind": rule_kind,
                "rule_value": rule_value,
                "shot_types": [copy.deepcopy(t) for t in types],
            }
            for rule_kind, rule_value, types in wanted.rules
        ],
        "stylist_id": None,
        "subjects": [],
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }


def shooting(
    ids: Ids,
    organization_id: str | None,
    owner_id: str,
    kind: Json,
    guidelines: Guidelines,
    *,
    name: str,
    phase: str | None,
    due_date: datetime | None,
    require_test_shooting: bool,
    fields: dict[str, Any],
) -> Json:
    """A shooting of shooting type `kind`; `fields` override the defaults (`id` too)."""
    now = ids.stamp()
    sid = fields.pop("id", None) or ids.new_id()
    guideline = _guidelines(ids, name, organization_id, owner_id, guidelines, now)
    record: Json = {
        "id": sid,
        "created_at": now,
        "updated_at": now,
        "name": name,
        "description": None,
        "due_date": iso(due_date),
        "owner_id": owner_id,
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
        # Computed by the rollup from the shooting's looks.
        "shot_status": None,
        "status": None,
    }
    set_fields(record, fields, "shooting")
    return record


def production(ids: Ids, shooting_record: Json, kind: str, *, deleted: bool) -> Json:
    """A MAIN or TEST production of a shooting (a deleted one has `deleted_at` set)."""
    now = ids.stamp()
    return {
        "id": ids.new_id(),
        "shooting_id": shooting_record["id"],
        "kind": kind,
        "archived": False,
        "created_at": now,
        "updated_at": now,
        "deleted_at": now if deleted else None,
        "guidelines_id": shooting_record["default_guidelines_id"],
    }
