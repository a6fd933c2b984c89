"""The GET endpoints of the simulated Sartiq API (under `/api/v1`): one route per endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from etl.simulators.sartiq import views
from etl.simulators.sartiq.looks import find_shot
from etl.simulators.sartiq.query import HttpError, Query, invalid, page, parse_uuid
from etl.simulators.sartiq.records import Json
from etl.simulators.sartiq.store import Store

PRODUCT_SORTS = (
    "name",
    "season",
    "year",
    "gender",
    "product_type",
    "shot_status",
    "created_at",
    "updated_at",
)
SHOT_FILTERS = ("status", "shot_type", "shooting_id", "production_request_id", "product_id")


@dataclass(frozen=True)
class Request:
    """One GET: its query, the path's parameters, and the largest `limit` accepted."""

    query: Query
    params: dict[str, str]
    max_limit: int | None = None

    def page(self, rows: list[Json]) -> Json:
        return page(rows, self.query, self.max_limit)


Handler = Callable[[Store, Request], Any]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Handler


# ---- scoping ------------------------------------------------------------------------------
def _scope(store: Store, query: Query) -> str | None:
    """The `organization_id` asked for (None: personal); one the user is not in is a 403."""
    org = query.uuid("organization_id")
    if org is not None and org not in store.organizations:
        raise HttpError(403, "The user is not a member of this organization")
    return org


def _shooting(store: Store, request: Request) -> Json:
    """The shooting of the path, visible to the user (and in the scope, if one is asked)."""
    sid = parse_uuid("path", "shooting_id", request.params["shooting_id"])
    shooting = store.shootings.get(sid)
    if shooting is None or shooting["deleted_at"] is not None:
        raise HttpError(404, "Shooting not found")
    org = shooting["organization_id"]
    if org is not None and org not in store.organizations:
        raise HttpError(403, "Not enough permissions")
    if request.query.get("organization_id") is not None and _scope(store, request.query) != org:
        raise HttpError(404, "Shooting not found")
    return shooting


def _sort_products(store: Store, rows: list[Json], query: Query) -> list[Json]:
    sort_by = query.get("sort_by")
    order = (query.get("sort_order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise invalid(
            "query", "sort_order", "literal_error", "Input should be 'asc' or 'desc'", order
        )
    if sort_by is None:
        # The API's default "bucket" order is unstable between requests: simulate that.
        shuffled = list(rows)
        store.rng.shuffle(shuffled)
        return sorted(shuffled, key=lambda p: p["shot_status"] or "")
    if sort_by not in PRODUCT_SORTS:
        raise invalid(
            "query",
            "sort_by",
            "literal_error",
            f"Input should be one of {', '.join(PRODUCT_SORTS)}",
            sort_by,
        )
    ordered = sorted(rows, key=lambda p: (p[sort_by] is None, str(p[sort_by] or ""), p["id"]))
    return ordered if order == "asc" else ordered[::-1]


# ---- handlers -----------------------------------------------------------------------------
def list_products(store: Store, request: Request) -> Json:
    query = request.query
    scope = _scope(store, query)
    enabled = query.boolean("enabled", True)
    archived = query.boolean("archived", None)
    rows = views.products(store, scope, enabled=enabled, archived=archived)
    return request.page(_sort_products(store, rows, query))


def get_product(store: Store, request: Request) -> Json:
    pid = parse_uuid("path", "id", request.params["id"])
    product = store.products.get(pid)
    if product is None or product["deleted_at"] is not None:
        raise HttpError(404, "Product not found")
    return product


def not_found(store: Store, request: Request) -> Json:
    raise HttpError(404, "Not Found")


def list_shootings(store: Store, request: Request) -> Json:
    return request.page(views.shootings(store, _scope(store, request.query)))


def get_shooting(store: Store, request: Request) -> Json:
    return _shooting(store, request)


def shooting_looks(store: Store, request: Request) -> Json:
    return request.page(views.looks(store, _shooting(store, request)["id"]))


def shooting_productions(store: Store, request: Request) -> Json:
    sid = _shooting(store, request)["id"]
    query = request.query
    include_deleted = bool(query.boolean("include_deleted", False))
    rows = views.productions(store, sid, include_deleted=include_deleted, kind=query.get("kind"))
    # Not paged: every production in one envelope.
    return {"data": rows, "count": len(rows)}


def shooting_statuses(store: Store, request: Request) -> list[Json]:
    # A bare array, not an envelope.
    return store.statuses_of(_shooting(store, request)["id"])


def shooting_main_products(store: Store, request: Request) -> Json:
    sid = _shooting(store, request)["id"]
    return request.page(views.shooting_products(store, sid, "main"))


def shooting_sample_products(store: Store, request: Request) -> Json:
    sid = _shooting(store, request)["id"]
    return request.page(views.shooting_products(store, sid, "sample"))


def unknown_shooting_child(store: Store, request: Request) -> Json:
    # The shooting is resolved first: a bad id answers 422/404/403 before the unknown path.
    _shooting(store, request)
    raise HttpError(404, "Not Found")


def list_shots(store: Store, request: Request) -> Json:
    query = request.query
    scope = _scope(store, query)
    filters = {name: value for name in SHOT_FILTERS if (value := query.get(name)) is not None}
    return request.page(views.shots(store, scope, filters))


def get_shot(store: Store, request: Request) -> Json:
    sid = parse_uuid("path", "shot_id", request.params["shot_id"])
    try:
        _look, shot = find_shot(store.looks.values(), sid)
    except KeyError:
        raise HttpError(404, "Shot not found") from None
    return shot


def _route(pattern: str, handler: Handler) -> Route:
    return Route(re.compile(pattern), handler)


_SHOOTING = r"/shootings/(?P<shooting_id>[^/]+)"
# Matched in order, on the whole path; list endpoints also answer with a trailing slash.
ROUTES: tuple[Route, ...] = (
    _route("/products/?", list_products),
    _route("/shootings/?", list_shootings),
    _route("/shots/?", list_shots),
    _route(_SHOOTING, get_shooting),
    _route(f"{_SHOOTING}/production-requests", shooting_looks),
    _route(f"{_SHOOTING}/productions", shooting_productions),
    _route(f"{_SHOOTING}/production-request-statuses", shooting_statuses),
    _route(f"{_SHOOTING}/main-products", shooting_main_products),
    _route(f"{_SHOOTING}/sample-products", shooting_sample_products),
    _route(f"{_SHOOTING}/[a-z-]+", unknown_shooting_child),
    # Not a product id: export downloads (`export-tasks/{id}/download`) are never served.
    _route("/products/export-tasks", not_found),
    _route(r"/products/(?P<id>[^/]+)", get_product),
    _route(r"/shots/(?P<shot_id>[^/]+)", get_shot),
)


def find_route(path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.groupdict()
    return None


def answer(store: Store, path: str, query: Query, max_limit: int | None = None) -> Any:
    """The JSON body of a GET of `path` (below `/api/v1`), or an HttpError."""
    found = find_route(path)
    if found is None:
        raise HttpError(404, "Not Found")
    route, params = found
    return route.handler(store, Request(query, params, max_limit))
