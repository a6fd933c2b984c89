"""Sartiq declared as data: skip/limit pages, `{data, count}` envelopes, per-shooting children.

There is no server-side update filter: products and shootings are read whole on every sync
(so vanished ones are marked deleted), the children of a shooting are re-read when its
`updated_at` moved or it is not closed, and shots, revisions, images and push records are
exploded from the looks already landed. The toolkit only reads: no writing endpoint, and never
`products/export-tasks/{id}/download` (downloading deletes the task).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from etl.config import Config, secret_from_env
from etl.engine.auth import Auth, BearerToken
from etl.engine.binding import bind_runtime
from etl.engine.declarations import (
    Nested,
    RecordSelector,
    Reread,
    Resource,
    Source,
    body_as_list,
)
from etl.engine.oauth2 import PasswordLogin
from etl.engine.paginators import Paginator, SinglePage, SkipLimitPaginator
from etl.engine.records import Record
from etl.engine.runtime import Extract, SourceRuntime
from etl.errors import ConfigError, SecretMissingError
from etl.sources.sartiq import records
from etl.sources.sartiq.config import SartiqConfig

PAGES = SkipLimitPaginator(page_size=100)
SINGLE = SinglePage()
PERSONAL = "personal"


def envelope(body: Any) -> list[dict[str, Any]]:
    """`{"data": [...], "count": n}`: the records are `data` (`count` is not a total)."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    raise ValueError(f"expected a {{data, count}} envelope, got {type(body).__name__}")


PRODUCT_ORDER = {"sort_by": "created_at", "sort_order": "asc"}
# A closed shooting's children only change if the shooting itself does (or on full refresh).
CHANGED_SHOOTINGS = Reread(version="updated_at", settled={"phase": ("CLOSED",)})
OF_SHOOTING = {"shooting_id": "id"}


def _products(name: str, enabled: str, description: str) -> Resource:
    # The default order is unstable between requests: paging needs a fixed one.
    params = {**PRODUCT_ORDER, "enabled": enabled}
    return Resource(
        name,
        "/products/",
        records.Product,
        primary_key=("id",),
        paginator=PAGES,
        params=params,
        selector=envelope,
        description=description,
    )


def _of_shooting(
    name: str,
    path: str,
    model: type[Record],
    *,
    primary_key: tuple[str, ...],
    paginator: Paginator,
    description: str,
    params: Mapping[str, str] | None = None,
    selector: RecordSelector = body_as_list,
) -> Resource:
    """A child read once per shooting, and again only when that shooting may have changed."""
    return Resource(
        name,
        f"/shootings/{{id}}/{path}",
        model,
        primary_key=primary_key,
        paginator=paginator,
        params=params or {},
        selector=selector,
        parent="shootings",
        inherit=OF_SHOOTING,
        reread=CHANGED_SHOOTINGS,
        description=description,
    )


def _shooting_products(which: str, description: str) -> Resource:
    """A shooting's `main` or `sample` products."""
    return _of_shooting(
        f"{which}_products",
        f"{which}-products",
        records.ShootingProduct,
        primary_key=("shooting_id", "id"),
        paginator=PAGES,
        selector=envelope,
        description=description,
    )


def _exploded(name: str, model: type[Record], nested: Nested, description: str) -> Resource:
    """Rows taken from an array of records already landed (no request)."""
    return Resource(name, "", model, primary_key=("id",), nested=nested, description=description)


SOURCE = Source(
    name="sartiq",
    scope_column="organization_id",
    scope_type="VARCHAR",
    resources=(
        _products("products", "true", "Enabled products of the catalog."),
        # `enabled` defaults to true and has no "both" value: disabled ones need their pass.
        _products(
            "products_disabled", "false", "Disabled products (hidden by the API's default filter)."
        ),
        Resource(
            "shootings",
            "/shootings/",
            records.Shooting,
            primary_key=("id",),
            paginator=PAGES,
            selector=envelope,
            description="Shootings with their default guidelines (shot types, rule groups).",
        ),
        _of_shooting(
            "looks",
            "production-requests",
            records.Look,
            primary_key=("id",),
            paginator=PAGES,
            selector=envelope,
            description="Looks (production requests) of each shooting, shots nested.",
        ),
        _of_shooting(
            "productions",
            "productions",
            records.Production,
            primary_key=("id",),
            paginator=SINGLE,
            params={"include_deleted": "true"},
            selector=envelope,
            description="MAIN and TEST productions of each shooting, deleted ones included.",
        ),
        _of_shooting(
            "status_definitions",
            "production-request-statuses",
            records.StatusDefinition,
            primary_key=("shooting_id", "id"),
            paginator=SINGLE,
            description="The statuses valid in each shooting (key, label, sorting).",
        ),
        _shooting_products("main", "Products a shooting is meant to shoot."),
        _shooting_products("sample", "Sample products of a shooting."),
        _exploded(
            "shots",
            records.Shot,
            Nested("looks", "shots", {"production_request_id": "id"}),
            "Shots of each look (one per shot type), from the looks' payload.",
        ),
        _exploded(
            "revisions",
            records.Revision,
            Nested("shots", "revisions", {"shot_id": "id"}),
            "Revisions of each shot.",
        ),
        _exploded(
            "revision_images",
            records.RevisionImage,
            Nested("revisions", "images", {"shot_revision_id": "id"}),
            "Images of each revision.",
        ),
        _exploded(
            "push_records",
            records.PushRecord,
            Nested("revisions", "push_records", {"shot_revision_id": "id"}),
            "Pushes of each revision to the client's DAM.",
        ),
    ),
)


def _auth(settings: SartiqConfig, config: Config) -> Auth:
    key = "sources.sartiq"
    if os.environ.get(settings.token_env):
        return BearerToken(
            secret_from_env(settings.token_env, config=config, key=f"{key}.token_env")
        )
    if os.environ.get(settings.username_env) or os.environ.get(settings.password_env):
        username = secret_from_env(settings.username_env, config=config, key=f"{key}.username_env")
        password = secret_from_env(settings.password_env, config=config, key=f"{key}.password_env")
        token_url = f"{settings.base_url.rstrip('/')}/{settings.token_path.lstrip('/')}"
        return PasswordLogin(token_url, username, password)
    where = config.path if config.path else "configuration"
    raise SecretMissingError(
        f"{where}: {key}: set {settings.token_env} (a bearer token) or "
        f"{settings.username_env} and {settings.password_env} (the password flow)"
    )


def paged(source: Source, page_size: int) -> Source:
    """The declaration with another page size for every skip/limit resource."""
    pager = SkipLimitPaginator(page_size=page_size)
    resources = tuple(
        dataclasses.replace(r, paginator=pager)
        if isinstance(r.paginator, SkipLimitPaginator)
        else r
        for r in source.resources
    )
    return dataclasses.replace(source, resources=resources)


def runtime(config: Config) -> SourceRuntime:
    """Bind the declaration to `[sources.sartiq]`: one extract per organisation (+ personal)."""
    settings = config.sources.sartiq
    if settings is None:
        raise ConfigError("no [sources.sartiq] section in the configuration")
    if not settings.organization_ids and not settings.include_personal:
        where = config.path if config.path else "configuration"
        raise ConfigError(
            f"{where}: sources.sartiq: nothing to sync: list organization_ids "
            "or set include_personal = true"
        )
    auth = _auth(settings, config)
    # Without `organization_id` the API returns personal records only: one extract per scope.
    extracts = [
        Extract(
            scope=org, base_url=settings.base_url, auth=auth, params=(("organization_id", org),)
        )
        for org in settings.organization_ids
    ]
    if settings.include_personal:
        extracts.append(Extract(scope=PERSONAL, base_url=settings.base_url, auth=auth))
    # No resource has a cursor (the API has no update filter): there is nothing to overlap.
    return bind_runtime(
        paged(SOURCE, settings.page_size), extracts, settings, config, overlap=timedelta(0)
    )
