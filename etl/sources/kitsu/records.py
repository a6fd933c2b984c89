"""Pydantic models of Kitsu (Zou) records: the typed columns of the `raw.kitsu__*` tables.

Fields come from Zou's models (`zou/app/models/*.py`); every record also carries `id`,
`created_at` and `updated_at`. Fields Zou adds later are kept in `_raw` and reported as drift.
"""

from __future__ import annotations

from typing import Any

from etl.engine.records import ApiDateTime, Record


class ZouRecord(Record):
    id: str
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class Project(ZouRecord):
    name: str
    code: str | None = None
    description: str | None = None
    production_type: str | None = None
    production_style: str | None = None
    project_status_id: str | None = None
    start_date: ApiDateTime | None = None
    end_date: ApiDateTime | None = None
    max_retakes: int | None = None
    fps: str | None = None
    nb_episodes: int | None = None
    data: dict[str, Any] | None = None


class EntityType(ZouRecord):
    name: str
    short_name: str | None = None
    archived: bool | None = None


class Entity(ZouRecord):
    """Shots, sequences, episodes and assets are all entities; `type` says which."""

    name: str
    type: str | None = None
    code: str | None = None
    description: str | None = None
    canceled: bool | None = None
    nb_frames: int | None = None
    status: str | None = None
    project_id: str | None = None
    entity_type_id: str | None = None
    parent_id: str | None = None
    source_id: str | None = None
    preview_file_id: str | None = None
    is_shared: bool | None = None
    # frame_in, frame_out, fps and the studio's custom metadata, kept as Zou sent them.
    data: dict[str, Any] | None = None


class TaskType(ZouRecord):
    name: str
    short_name: str | None = None
    for_entity: str | None = None
    priority: int | None = None
    department_id: str | None = None
    archived: bool | None = None


class TaskStatus(ZouRecord):
    name: str
    short_name: str | None = None
    color: str | None = None
    is_done: bool | None = None
    is_retake: bool | None = None
    is_wip: bool | None = None
    is_feedback_request: bool | None = None
    is_default: bool | None = None
    archived: bool | None = None


class Task(ZouRecord):
    name: str | None = None
    entity_id: str
    task_type_id: str | None = None
    task_status_id: str | None = None
    project_id: str | None = None
    assigner_id: str | None = None
    priority: int | None = None
    duration: float | None = None
    estimation: float | None = None
    completion_rate: float | None = None
    retake_count: int | None = None
    start_date: ApiDateTime | None = None
    due_date: ApiDateTime | None = None
    real_start_date: ApiDateTime | None = None
    end_date: ApiDateTime | None = None
    done_date: ApiDateTime | None = None
    last_comment_date: ApiDateTime | None = None
    last_preview_file_id: str | None = None
    # Person ids, present because the tasks are read with `relations=true`.
    assignees: list[str] | None = None
    data: dict[str, Any] | None = None


class Person(ZouRecord):
    """Name and id only: the selector drops every other field before landing (see source)."""

    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None


class DeletionEvent(Record):
    """A `<object>:delete` event of `/data/events/last`; `data` holds `<object>_id`."""

    id: str
    created_at: ApiDateTime | None = None
    name: str
    project_id: str | None = None
    data: dict[str, Any] | None = None


__all__ = [
    "DeletionEvent",
    "Entity",
    "EntityType",
    "Person",
    "Project",
    "Task",
    "TaskStatus",
    "TaskType",
]
