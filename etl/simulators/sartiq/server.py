"""The Sartiq simulator's HTTP layer: routes, envelopes, paging, scoping, auth, faults."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from etl.simulators.sartiq import views
from etl.simulators.sartiq.faults import Faults
from etl.simulators.sartiq.generator import populate
from etl.simulators.sartiq.store import Json, Store

API = "/api/v1"
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
_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


@dataclass(frozen=True)
class LoggedRequest:
    """One request the simulator answered."""

    method: str
    path: str
    params: dict[str, str]
    status: int
    organization_id: str | None
    authorization: str | None = field(default=None, repr=False)


class HttpError(Exception):
    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def _invalid(where: str, name: str, kind: str, msg: str, value: Any) -> HttpError:
    return HttpError(422, [{"type": kind, "loc": [where, name], "msg": msg, "input": value}])


class Query:
    """Query parameters, validated the way FastAPI does (422 with a `detail` list)."""

    def __init__(self, raw: dict[str, list[str]]) -> None:
        self.raw = raw

    def get(self, name: str) -> str | None:
        values = self.raw.get(name)
        return values[-1] if values else None

    def integer(self, name: str, default: int, minimum: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise _invalid(
                "query",
                name,
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                value,
            ) from None
        if number < minimum:
            raise _invalid(
                "query",
                name,
                "greater_than_equal",
                f"Input should be greater than or equal to {minimum}",
                value,
            )
        return number

    def boolean(self, name: str, default: bool | None) -> bool | None:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise _invalid("query", name, "bool_parsing", "Input should be a valid boolean", value)

    def uuid(self, name: str) -> str | None:
        value = self.get(name)
        if value is None or value == "":
            return None
        return _uuid("query", name, value)


def _uuid(where: str, name: str, value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _invalid(where, name, "uuid_parsing", "Input should be a valid UUID", value) from None


def _last(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[-1] if found else None


def _page(rows: list[Json], query: Query, max_limit: int | None = None) -> Json:
    skip = query.integer("skip", 0, 0)
    limit = query.integer("limit", 100, 1)
    if max_limit is not None and limit > max_limit:
        raise _invalid(
            "query",
            "limit",
            "less_than_equal",
            f"Input should be less than or equal to {max_limit}",
            str(limit),
        )
    page = rows[skip : skip + limit]
    # `count` is the size of the page, not the total: connectors must not trust it as one.
    return {"data": page, "count": len(page)}


class SartiqSimulator:
    """A seeded, in-memory Sartiq API; `serve()` exposes it over loopback HTTP.

    The token in `token` is accepted as a static bearer token; `username`/`password` work with
    the password flow (`POST /api/v1/login/access-token`). The user belongs to every
    organisation in `store.organizations`; `foreign_organization` is one it does not belong to.
    """

    def __init__(
        self,
        seed: int = 7,
        *,
        organizations: int = 2,
        products_per_org: int = 24,
        shootings_per_org: int = 8,
        personal: bool = True,
        populate_data: bool = True,
    ) -> None:
        self.store = Store(seed=seed)
        if populate_data:
            populate(
                self.store,
                organizations=organizations,
                products_per_org=products_per_org,
                shootings_per_org=shootings_per_org,
                personal=personal,
            )
        self.faults = Faults(seed=seed)
        self.token = "sartiq-sim-token"
        self.username = "studio@example.test"
        self.password = "sim-password"
        self.foreign_organization = str(uuid.UUID(int=seed + 1, version=4))
        self._issued: set[str] = set()
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self.base_url = ""
        # Largest `limit` accepted (None: any); beyond it the API answers 422.
        self.max_limit: int | None = None

    @classmethod
    def empty(cls, seed: int = 7, organizations: int = 0) -> SartiqSimulator:
        """A simulator without generated data, to build small fixtures by hand."""
        sim = cls(seed, populate_data=False)
        for _ in range(organizations):
            sim.store.add_organization()
        return sim

    # ---- accessors for tests -------------------------------------------------------------
    @property
    def organizations(self) -> list[str]:
        return list(self.store.organizations)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def records(
        self, resource: str, organization_id: str | None, parent_id: str | None = None
    ) -> list[Json]:
        """What a complete read of `resource` in one scope (None: personal) returns."""
        return views.records(self.store, resource, organization_id, parent_id)

    def update(self, resource: str, record_id: str, **fields: Any) -> Json:
        return self.store.update(resource, record_id, **fields)

    def delete(self, resource: str, record_id: str) -> None:
        self.store.delete(resource, record_id)

    def add(self, resource: str, *args: Any, **fields: Any) -> Json:
        """Add a record: products, shootings, looks, shots, revisions, push_records..."""
        adders: dict[str, Callable[..., Json]] = {
            "shot_types": self.store.add_shot_type,
            "products": self.store.add_product,
            "shootings": self.store.add_shooting,
            "productions": self.store.add_production,
            "looks": self.store.add_look,
            "shots": self.store.add_shot,
            "revisions": self.store.add_revision,
            "push_records": self.store.add_push_record,
        }
        if resource not in adders:
            raise KeyError(f"cannot add {resource!r} (known: {', '.join(adders)})")
        return adders[resource](*args, **fields)

    def set_time(self, moment: datetime) -> None:
        with self.store.lock:
            self.store.clock.set(moment)

    def revoke_tokens(self) -> None:
        """Expire every token issued by the password flow (the next request gets 401)."""
        self._issued.clear()

    # ---- serving ---------------------------------------------------------------------------
    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[SartiqSimulator]:
        """Serve on a background thread; `base_url` ends with `/api/v1`."""
        server = ThreadingHTTPServer((host, port), _handler_for(self))
        server.daemon_threads = True
        # A short poll interval makes shutdown quick (tests start many servers).
        thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="sartiq-sim", daemon=True
        )
        thread.start()
        bound_host, bound_port = server.server_address[:2]
        if isinstance(bound_host, bytes):
            bound_host = bound_host.decode()
        self.base_url = f"http://{bound_host}:{bound_port}{API}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    # ---- request handling --------------------------------------------------------------------
    def _record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._log.append(entry)

    def _authorize(self, header: str | None) -> None:
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HttpError(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
        if token != self.token and token not in self._issued:
            raise HttpError(401, "Could not validate credentials", {"WWW-Authenticate": "Bearer"})

    def login(self, form: dict[str, list[str]]) -> Json:
        username = _last(form, "username")
        password = _last(form, "password")
        missing = [name for name, v in (("username", username), ("password", password)) if not v]
        if missing:
            raise HttpError(
                422,
                [
                    {
                        "type": "missing",
                        "loc": ["body", name],
                        "msg": "Field required",
                        "input": None,
                    }
                    for name in missing
                ],
            )
        if username != self.username or password != self.password:
            raise HttpError(400, "Incorrect email or password")
        token = secrets.token_urlsafe(24)
        self._issued.add(token)
        return {"access_token": token, "token_type": "bearer"}

    def _scope(self, query: Query) -> str | None:
        org = query.uuid("organization_id")
        if org is not None and org not in self.store.organizations:
            raise HttpError(403, "The user is not a member of this organization")
        return org

    def _shooting(self, shooting_id: str, query: Query | None = None) -> Json:
        sid = _uuid("path", "shooting_id", shooting_id)
        shooting = self.store.shootings.get(sid)
        if shooting is None or shooting["deleted_at"] is not None:
            raise HttpError(404, "Shooting not found")
        org = shooting["organization_id"]
        if org is not None and org not in self.store.organizations:
            raise HttpError(403, "Not enough permissions")
        scoped = query is not None and query.get("organization_id") is not None
        if scoped and query is not None and self._scope(query) != org:
            raise HttpError(404, "Shooting not found")
        return shooting

    def route(self, path: str, query: Query) -> Any:
        """The JSON body for a GET, or an HttpError."""
        store = self.store
        if path in ("/products", "/products/"):
            scope = self._scope(query)
            enabled = query.boolean("enabled", True)
            archived = query.boolean("archived", None)
            rows = views.products(store, scope, enabled=enabled, archived=archived)
            return _page(self._sort_products(rows, query), query, self.max_limit)
        if path in ("/shootings", "/shootings/"):
            return _page(views.shootings(store, self._scope(query)), query, self.max_limit)
        if path in ("/shots", "/shots/"):
            scope = self._scope(query)
            filters = {
                name: value
                for name in (
                    "status",
                    "shot_type",
                    "shooting_id",
                    "production_request_id",
                    "product_id",
                )
                if (value := query.get(name)) is not None
            }
            return _page(views.shots(store, scope, filters), query, self.max_limit)
        match = re.fullmatch(r"/shootings/([^/]+)(/[a-z-]+)?", path)
        if match:
            shooting = self._shooting(match.group(1), query)
            sid = shooting["id"]
            tail = match.group(2)
            if tail is None:
                return shooting
            if tail == "/production-requests":
                return _page(views.looks(store, sid), query, self.max_limit)
            if tail == "/productions":
                kind = query.get("kind")
                rows = views.productions(
                    store,
                    sid,
                    include_deleted=bool(query.boolean("include_deleted", False)),
                    kind=kind,
                )
                return {"data": rows, "count": len(rows)}
            if tail == "/production-request-statuses":
                return store.statuses_of(sid)
            if tail == "/main-products":
                return _page(views.shooting_products(store, sid, "main"), query, self.max_limit)
            if tail == "/sample-products":
                return _page(views.shooting_products(store, sid, "sample"), query, self.max_limit)
            raise HttpError(404, "Not Found")
        match = re.fullmatch(r"/products/([^/]+)", path)
        if match and match.group(1) != "export-tasks":
            pid = _uuid("path", "id", match.group(1))
            product = store.products.get(pid)
            if product is None or product["deleted_at"] is not None:
                raise HttpError(404, "Product not found")
            return product
        match = re.fullmatch(r"/shots/([^/]+)", path)
        if match:
            sid = _uuid("path", "shot_id", match.group(1))
            try:
                look, shot = store._find_shot(sid)
            except KeyError:
                raise HttpError(404, "Shot not found") from None
            return shot
        # Includes `products/export-tasks/{id}/download`: logged, never served.
        raise HttpError(404, "Not Found")

    def _sort_products(self, rows: list[Json], query: Query) -> list[Json]:
        sort_by = query.get("sort_by")
        order = (query.get("sort_order") or "desc").lower()
        if order not in ("asc", "desc"):
            raise _invalid(
                "query", "sort_order", "literal_error", "Input should be 'asc' or 'desc'", order
            )
        if sort_by is None:
            # The API's default "bucket" order is unstable between requests: simulate that.
            shuffled = list(rows)
            self.store.rng.shuffle(shuffled)
            return sorted(shuffled, key=lambda p: p["shot_status"] or "")
        if sort_by not in PRODUCT_SORTS:
            raise _invalid(
                "query",
                "sort_by",
                "literal_error",
                f"Input should be one of {', '.join(PRODUCT_SORTS)}",
                sort_by,
            )
        ordered = sorted(rows, key=lambda p: (p[sort_by] is None, str(p[sort_by] or ""), p["id"]))
        return ordered if order == "asc" else ordered[::-1]


def _handler_for(sim: SartiqSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SartiqSimulator/0.1"
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None  # the request log replaces stderr noise

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw_query = parse_qs(parts.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, headers = self._dispatch(method, parts.path, raw_query, body)
            sim._record(
                LoggedRequest(
                    method=method,
                    path=parts.path,
                    params={k: v[-1] for k, v in raw_query.items()},
                    status=status,
                    organization_id=_last(raw_query, "organization_id"),
                    authorization=self.headers.get("Authorization"),
                )
            )
            self._send(status, payload, headers)

        def _dispatch(
            self, method: str, path: str, raw_query: dict[str, list[str]], body: bytes
        ) -> tuple[int, Any, dict[str, str]]:
            if sim.faults.latency > 0:
                time.sleep(sim.faults.latency)
            fault = sim.faults.draw()
            if fault is not None:
                headers: dict[str, str] = {}
                if fault.status == 429:
                    after = fault.retry_after or 0
                    headers["Retry-After"] = str(int(after)) if after == int(after) else str(after)
                    return 429, {"detail": "Too many requests"}, headers
                return fault.status, {"detail": "Internal Server Error"}, headers
            if not path.startswith(API):
                return 404, {"detail": "Not Found"}, {}
            path = path[len(API) :]
            try:
                if method == "POST" and path == "/login/access-token":
                    return 200, sim.login(parse_qs(body.decode(errors="replace"))), {}
                if method != "GET":
                    # The simulator is read-only: every writing method is refused.
                    return 405, {"detail": "Method Not Allowed"}, {"Allow": "GET"}
                sim._authorize(self.headers.get("Authorization"))
                with sim.store.lock:
                    result = sim.route(path, Query(raw_query))
                    return 200, json.loads(json.dumps(result)), {}
            except HttpError as exc:
                return exc.status, {"detail": exc.detail}, exc.headers

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._answer("PUT")

        def do_PATCH(self) -> None:  # noqa: N802
            self._answer("PATCH")

        def do_DELETE(self) -> None:  # noqa: N802
            self._answer("DELETE")

    return Handler


@contextmanager
def serve(
    sim: SartiqSimulator | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[SartiqSimulator]:
    """Serve `sim` (a default seeded one if None) on loopback; yields it with `base_url` set."""
    with (sim or SartiqSimulator()).serve(host, port) as running:
        yield running
