"""The GET endpoints of the simulated API: routing, filters, paging headers and bodies.

Paged lists (pictures, references, looks, look references, look folders) serve 100 rows from
the `offset` request header (at most 10,000) with `X-Total-Count`, `X-Offset` and `X-Count`.
`GET /specification/format` is declared in the spec as a bare "string" (a doc-generator
artefact); it serves an array of format objects shaped like the spec's format schema (Model35).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.simulators.grandshooting.catalog import Catalog
from etl.simulators.grandshooting.filters import FilterError, getter, parse_query
from etl.simulators.grandshooting.store import BENCH_FIELDS, AccountData
from etl.simulators.grandshooting.table import Row

PAGE_SIZE = 100
OFFSET_CEILING = 10_000
DELEGATION_PARAMS = ("account_id", "target_account_id")
AGGREGATE_FIELDS = (
    "picture_id", "bench_id", "bench_root_id", "benchsteptype", "benchstatus", "ref",
    "reference_ref", "path", "file_path", "smalltext", "picturestatus", "filesize", "width",
    "height", "reference_id", "reference_ids", "refs", "looks", "parent_id", "child_ids",
    "icc_profile", "hash", "file_id", "view_type_code", "transfer_date", "date_cre", "date_mod",
    "validation_date", "export", "shootingmethod", "look_id", "taginfo.label", "taginfo.rating",
)  # fmt: skip
_DATE_FIELDS = {"transfer_date", "date_cre", "date_mod", "validation_date"}


class ApiFailure(Exception):
    """An error answer: status and the message of the `{"errors": [{"message"}]}` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


@dataclass
class Request:
    """One API call once the base path is stripped: `/picture`, query pairs, headers."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    paged: bool = False


Handler = Callable[[Catalog, AccountData, Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Handler
    # The resource a list request reads: rows of it change under the client when the
    # mutate-while-paging fault is on.
    churns: str | None = None


def _offset(request: Request) -> int:
    raw = request.headers.get("offset")
    if raw is None or raw.strip() == "":
        return 0
    try:
        value = float(raw)
    except ValueError:
        raise ApiFailure(400, f"offset: {raw!r} is not a number") from None
    if value < 0 or not value.is_integer():
        raise ApiFailure(400, f"offset: {raw!r} must be a whole number >= 0")
    if value > OFFSET_CEILING:
        raise ApiFailure(
            400,
            f"offset: {int(value)} is beyond the maximum of {OFFSET_CEILING}; to read further, "
            "filter on the key with gte:<last value> and sort_by the key",
        )
    return int(value)


def _paged(total: int, offset: int, rows: list[Row]) -> Response:
    return Response(
        200,
        rows,
        {"X-Total-Count": str(total), "X-Offset": str(offset), "X-Count": str(len(rows))},
        paged=True,
    )


def _page_of(rows: list[Row], request: Request) -> Response:
    offset = _offset(request)
    return _paged(len(rows), offset, rows[offset : offset + PAGE_SIZE])


def _int_param(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ApiFailure(400, f"{name}: {raw!r} is not a number") from None


def _filtered(fields: Mapping[str, Any], request: Request, *ignore: str) -> Any:  # a parsed Query
    if any(name == "offset" for name, _ in request.query):
        raise ApiFailure(400, "offset: send it as a request header, not a query parameter")
    try:
        return parse_query(request.query, fields, ignore=DELEGATION_PARAMS + ignore)
    except FilterError as exc:
        raise ApiFailure(400, str(exc)) from None


# -- pictures and references ----------------------------------------------------------------


def list_pictures(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    query = _filtered(data.pictures.fields, request)
    offset = _offset(request)
    with catalog.lock:
        total, rows = data.pictures.page(query, offset, PAGE_SIZE)
    return _paged(total, offset, rows)


def list_references(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    query = _filtered(data.references.fields, request)
    offset = _offset(request)
    with catalog.lock:
        total, rows = data.references.page(query, offset, PAGE_SIZE)
    return _paged(total, offset, rows)


def get_picture(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    with catalog.lock:
        row = data.pictures.get(_int_param("picture_id", params["id"]))
    if row is None:
        raise ApiFailure(404, f"picture {params['id']} not found")
    return Response(200, row)


def get_reference(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    with catalog.lock:
        row = data.references.get(_int_param("reference_id", params["id"]))
    if row is None:
        raise ApiFailure(404, f"reference {params['id']} not found")
    return Response(200, row)


def _group_keys(field_name: str, value: Any) -> list[str]:
    if value is None:
        return []  # like a terms aggregation: rows without the field are in no group
    values = value if isinstance(value, list) else [value]
    keys = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("reference_id", item.get("ref"))
        if item is None:
            continue
        text = str(item)
        if isinstance(item, float) and item.is_integer():
            text = str(int(item))
        keys.append(text[:10] if field_name in _DATE_FIELDS else text)
    return keys


def aggregate_pictures(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    group_by = [v for k, v in request.query if k == "group_by_field"]
    if not group_by:
        raise ApiFailure(400, "group_by_field: required")
    field_name = group_by[-1]
    if field_name not in AGGREGATE_FIELDS:
        raise ApiFailure(400, f"group_by_field: {field_name!r} is not a field you can group by")
    query = _filtered(data.pictures.fields, request, "group_by_field")
    sort, query = query.sort, type(query)(query.filters, (), query.search)
    offset = _offset(request)
    size = _int_param("size", request.headers.get("size") or str(PAGE_SIZE))
    samples = _int_param("sample_size", request.headers.get("sample_size") or "3")
    if not 0 <= size <= PAGE_SIZE:
        raise ApiFailure(400, f"size: must be between 0 and {PAGE_SIZE}")
    if not 1 <= samples <= 5:
        raise ApiFailure(400, "sample_size: must be between 1 and 5")
    with catalog.lock:
        rows = data.pictures.select(query)
    read = getter(field_name)
    groups: dict[str, list[int]] = {}
    for row in rows:
        for key in _group_keys(field_name, read(row)):
            groups.setdefault(key, []).append(row["picture_id"])
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for name, descending in sort:
        if name == field_name:
            ordered.sort(key=lambda kv: kv[0], reverse=descending)
    page = ordered[offset : offset + size]
    body = [
        {"key": k, "nb": len(ids), "pictures": [str(i) for i in ids[:samples]]} for k, ids in page
    ]
    return _paged(len(ordered), offset, body)


# -- productions ------------------------------------------------------------------------------


def list_productions(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    archived = [v for k, v in request.query if k == "archived"]
    include_archived = bool(archived) and archived[-1].lower() in ("true", "1")
    query = _filtered(BENCH_FIELDS, request, "archived")
    keep = query.predicate()
    productions = []
    for production in data.productions:
        if not include_archived and production and production[0].get("archived"):
            continue
        benches = [b for b in production if keep(b)]
        if benches:
            productions.append(benches)
    return Response(200, productions)


def _production(data: AccountData, raw: str) -> list[Row]:
    production = data.production(_int_param("bench_root_id", raw))
    if production is None:
        raise ApiFailure(404, f"production {raw} not found")
    return production


def production_benches(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    return Response(200, _production(data, params["root"]))


def production_bench(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    wanted = _int_param("bench_id", params["bench"])
    for bench in _production(data, params["root"]):
        if bench["bench_id"] == wanted:
            return Response(200, bench)
    raise ApiFailure(404, f"bench {params['bench']} not found in production {params['root']}")


# -- small lists ----------------------------------------------------------------------------


def shooting_methods(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    return Response(200, data.shooting_methods)


def formats(catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]) -> Response:
    return Response(200, data.formats)


def format_by_id(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    wanted = _int_param("format_id", params["id"])
    for row in data.formats:
        if row["format_id"] == wanted:
            return Response(200, row)
    raise ApiFailure(404, f"format {params['id']} not found")


def _guidelines(data: AccountData) -> list[Row]:
    if not data.guidelines:
        raise ApiFailure(404, "no endpoint GET /specification/category on this account (API 3.0)")
    return data.categories


def categories(
    catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]
) -> Response:
    return Response(200, _guidelines(data))


def category_by_id(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    wanted = _int_param("category_id", params["id"])
    # The spec declares this answer as an array of categories.
    found = [c for c in _guidelines(data) if c["category_id"] == wanted]
    if not found:
        raise ApiFailure(404, f"category {params['id']} not found")
    return Response(200, found)


def folders(catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]) -> Response:
    return _page_of(data.folders, request)


def folder_by_id(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    wanted = _int_param("folder_id", params["id"])
    for row in data.folders:
        if row["folder_id"] == wanted:
            return Response(200, row)
    raise ApiFailure(404, f"look folder {params['id']} not found")


def looks(catalog: Catalog, data: AccountData, request: Request, _: dict[str, str]) -> Response:
    return _page_of(data.looks, request)


def _look(data: AccountData, raw: str) -> Row:
    wanted = _int_param("look_id", raw)
    for row in data.looks:
        if row["look_id"] == wanted:
            return row
    raise ApiFailure(404, f"look {raw} not found")


def look_by_id(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    return Response(200, _look(data, params["id"]))


def look_references(
    catalog: Catalog, data: AccountData, request: Request, params: dict[str, str]
) -> Response:
    look = _look(data, params["id"])
    return _page_of(data.look_references.get(look["look_id"], []), request)


def _route(pattern: str, handler: Handler, churns: str | None = None) -> Route:
    return Route(re.compile(f"^{pattern}/?$"), handler, churns)


ROUTES: tuple[Route, ...] = (
    _route("/picture", list_pictures, churns="pictures"),
    _route("/picture/aggregate", aggregate_pictures),
    _route(r"/picture/(?P<id>[^/]+)", get_picture),
    _route("/reference", list_references, churns="references"),
    _route(r"/reference/(?P<id>[^/]+)", get_reference),
    _route("/production", list_productions),
    _route(r"/production/(?P<root>[^/]+)/bench", production_benches),
    _route(r"/production/(?P<root>[^/]+)/bench/(?P<bench>[^/]+)", production_bench),
    _route("/shootingmethod", shooting_methods),
    _route("/specification/format", formats),
    _route(r"/specification/format/(?P<id>[^/]+)", format_by_id),
    _route("/specification/category", categories),
    _route(r"/specification/category/(?P<id>[^/]+)", category_by_id),
    _route("/style/folder", folders),
    _route(r"/style/folder/(?P<id>[^/]+)", folder_by_id),
    _route("/style/look", looks),
    _route(r"/style/look/(?P<id>[^/]+)", look_by_id),
    _route(r"/style/look/(?P<id>[^/]+)/reference", look_references),
)


def find_route(path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match:
            return route, match.groupdict()
    return None


__all__ = [
    "OFFSET_CEILING",
    "PAGE_SIZE",
    "ApiFailure",
    "Request",
    "Response",
    "Route",
    "error_body",
    "find_route",
]
