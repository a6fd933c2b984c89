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
    # The model's name as Zou serialises it ("Task"; for entities "Shot", "Sequence", "Asset"...).
    type: str | None = None
    shotgun_id: int | None = None


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
    episode_span: int | None = None
    man_days: float | None = None
    ratio: str | None = None
    resolution: str | None = None
    homepage: str | None = None
    file_tree: dict[str, Any] | None = None
    has_avatar: bool | None = None
    is_clients_isolated: bool | None = None
    is_client_stats_visible: bool | None = None
    is_client_task_list_visible: bool | None = None
    is_client_task_panel_visible: bool | None = None
    is_frame_in_numbering: bool | None = None
    is_preview_download_allowed: bool | None = None
    is_publish_default_for_artists: bool | None = None
    is_set_preview_automated: bool | None = None
    is_single_preview_per_revision: bool | None = None
    is_bot_collaboration_enabled: bool | None = None
    revision_padding: int | None = None
    hd_bitrate_compression: int | None = None
    ld_bitrate_compression: int | None = None
    from_schedule_version_id: str | None = None
    default_preview_background_file_id: str | None = None
    # Relations Zou adds to a project: id lists and settings, kept as JSON.
    asset_types: list[Any] | None = None
    descriptors: list[Any] | None = None
    preview_background_files: list[Any] | None = None
    status_automations: list[Any] | None = None
    task_statuses: list[Any] | None = None
    task_statuses_link: dict[str, Any] | None = None
    task_type_links: dict[str, Any] | None = None
    task_types: list[Any] | None = None
    task_types_priority: dict[str, Any] | None = None
    team: list[Any] | None = None
    data: dict[str, Any] | None = None


class EntityType(ZouRecord):
    name: str
    short_name: str | None = None
    description: str | None = None
    archived: bool | None = None


class Entity(ZouRecord):
    """Shots, sequences, episodes and assets are all entities; `type` says which."""

    name: str
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
    is_casting_standby: bool | None = None
    nb_entities_out: int | None = None
    ready_for: str | None = None
    created_by: str | None = None
    # frame_in, frame_out, fps and the studio's custom metadata, kept as Zou sent them.
    data: dict[str, Any] | None = None


class TaskType(ZouRecord):
    name: str
    short_name: str | None = None
    for_entity: str | None = None
    priority: int | None = None
    department_id: str | None = None
    archived: bool | None = None
    color: str | None = None
    description: str | None = None
    allow_timelog: bool | None = None


class TaskStatus(ZouRecord):
    name: str
    short_name: str | None = None
    color: str | None = None
    is_done: bool | None = None
    is_retake: bool | None = None
    is_wip: bool | None = None
    is_feedback_request: bool | None = None
    is_default: bool | None = None
    is_artist_allowed: bool | None = None
    is_client_allowed: bool | None = None
    for_concept: bool | None = None
    priority: int | None = None
    description: str | None = None
    archived: bool | None = None


class Task(ZouRecord):
    name: str | None = None
    description: str | None = None
    difficulty: int | None = None
    sort_order: int | None = None
    nb_assets_ready: int | None = None
    nb_drawings: int | None = None
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


class Person(Record):
    """Name and id only: the selector drops every other field before landing (see source)."""

    id: str
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None


class DeletionEvent(Record):
    """A `<object>:delete` event of `/data/events/last`; `data` holds `<object>_id`."""

    id: str
    created_at: ApiDateTime | None = None
    name: str
    project_id: str | None = None
    user_id: str | None = None
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
