"""Kitsu (Zou) declared as data: resources, paging, the updated_at cursor, login from env."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from etl.config import Config, secret_from_env
from etl.engine.auth import Auth, BearerToken
from etl.engine.binding import bind_runtime
from etl.engine.declarations import Cursor, Resource, Source
from etl.engine.paginators import PageNumberPaginator, SinglePage
from etl.engine.runtime import Extract, SourceRuntime
from etl.errors import ConfigError
from etl.sources.kitsu import records
from etl.sources.kitsu.auth import ZouLogin
from etl.sources.kitsu.config import KitsuConfig
from etl.sources.kitsu.paging import EventsBeforePaginator

SINGLE = SinglePage()
PAGES = PageNumberPaginator(page_size=100)

# Zou cannot filter on dates: its generic routes come newest first (`updated_at DESC`), so the
# engine stops paging at the watermark minus the overlap (a client-side cursor) and dedupes by id.
UPDATED_AT = Cursor(field="updated_at")

PERSON_FIELDS = ("id", "first_name", "last_name", "full_name", "created_at", "updated_at")


def _since(lower: datetime) -> dict[str, str]:
    return {"after": lower.isoformat(timespec="seconds")}


# The event log does filter on dates (`after`, exclusive).
CREATED_AFTER = Cursor(field="created_at", server_filter=_since)


def envelope(body: Any) -> list[dict[str, Any]]:
    """Paged routes answer `{data, total, nb_pages, ...}`; unpaged ones a bare array."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return list(body["data"])
    if isinstance(body, list):
        return body
    raise ValueError(f"expected a JSON array or a {{data: [...]}} page, got {type(body).__name__}")


def person_selector(extra: Iterable[str] = ()) -> Callable[[Any], list[dict[str, Any]]]:
    """Keep only ids and names of persons (plus configured fields): nothing else lands."""
    allowed = frozenset(PERSON_FIELDS) | frozenset(extra)

    def select(body: Any) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in person.items() if k in allowed}
            for person in envelope(body)
            if isinstance(person, dict)
        ]

    return select


SOURCE = Source(
    name="kitsu",
    scope_column="instance",
    scope_type="VARCHAR",
    resources=(
        Resource(
            "projects",
            "/data/projects/open",
            records.Project,
            primary_key=("id",),
            paginator=SINGLE,
            description="Productions (open ones; all with all_projects = true).",
        ),
        Resource(
            "entity_types",
            "/data/entity-types",
            records.EntityType,
            primary_key=("id",),
            paginator=SINGLE,
            description="Entity types: Shot, Sequence, Episode and the asset types.",
        ),
        Resource(
            "task_types",
            "/data/task-types",
            records.TaskType,
            primary_key=("id",),
            paginator=SINGLE,
            description="Task types (the stages: Layout, Animation, Lighting...).",
        ),
        Resource(
            "task_statuses",
            "/data/task-status",
            records.TaskStatus,
            primary_key=("id",),
            paginator=SINGLE,
            description="Task statuses and their flags (is_done, is_retake, is_wip...).",
        ),
        Resource(
            "persons",
            "/data/persons",
            records.Person,
            primary_key=("id",),
            paginator=SINGLE,
            selector=person_selector(),
            description="People: id and names only (no e-mail unless configured).",
        ),
        Resource(
            "entities",
            "/data/entities",
            records.Entity,
            primary_key=("id",),
            paginator=PAGES,
            selector=envelope,
            cursor=UPDATED_AT,
            description="Episodes, sequences, shots and assets (`type` says which).",
        ),
        Resource(
            "tasks",
            "/data/tasks",
            records.Task,
            primary_key=("id",),
            paginator=PAGES,
            params={"relations": "true"},
            selector=envelope,
            cursor=UPDATED_AT,
            description="Tasks (entity x task type) with their assignees.",
        ),
        Resource(
            "deletion_events",
            "/data/events/last",
            records.DeletionEvent,
            primary_key=("id",),
            paginator=EventsBeforePaginator(),
            params={"name_suffixes": "delete"},
            cursor=CREATED_AFTER,
            # Without manager rights Zou answers 403: skipped, deletions then wait for a
            # --full-refresh (the reconciliation).
            optional=True,
            description="`*:delete` events: what was deleted since (needs manager rights).",
        ),
    ),
)


def bind(settings: KitsuConfig) -> Source:
    """The declaration as configured: which projects, page size, persons' fields, deletions."""
    pages = PageNumberPaginator(page_size=settings.page_size)
    resources = []
    for resource in SOURCE.resources:
        if resource.name == "deletion_events" and settings.deletions != "events":
            continue
        if resource.name == "projects" and settings.all_projects:
            resource = replace(resource, path="/data/projects")
        if resource.name == "persons":
            resource = replace(resource, selector=person_selector(settings.person_fields))
        if isinstance(resource.paginator, PageNumberPaginator):
            resource = replace(resource, paginator=pages)
        resources.append(resource)
    return replace(SOURCE, resources=tuple(resources))


def auth_from_env(settings: KitsuConfig, config: Config) -> Auth:
    """A bot token when its variable is set, else a login with email and password."""
    if os.environ.get(settings.token_env):
        token = secret_from_env(settings.token_env, config=config, key="sources.kitsu.token_env")
        return BearerToken(token)
    email = secret_from_env(settings.email_env, config=config, key="sources.kitsu.email_env")
    password = secret_from_env(
        settings.password_env, config=config, key="sources.kitsu.password_env"
    )
    return ZouLogin(settings.base_url, email, password)


def runtime(config: Config) -> SourceRuntime:
    """Bind the declaration to `[sources.kitsu]`: one extract, the configured server."""
    settings = config.sources.kitsu
    if settings is None:
        raise ConfigError("no [sources.kitsu] section in the configuration")
    auth = auth_from_env(settings, config)
    extract = Extract(scope=settings.instance, base_url=settings.base_url, auth=auth)
    return bind_runtime(
        bind(settings), [extract], settings, config, overlap=timedelta(days=settings.overlap_days)
    )
