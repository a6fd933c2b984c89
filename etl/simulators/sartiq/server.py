"""The Sartiq simulator over loopback HTTP: auth and the password flow, faults, request log."""

from __future__ import annotations

import json
import random
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

from etl.simulators.control import CONTROL_PREFIX, ControlError
from etl.simulators.control import advance_days as advance_days_asked
from etl.simulators.sartiq import views
from etl.simulators.sartiq.api import answer
from etl.simulators.sartiq.faults import Faults
from etl.simulators.sartiq.generator import populate
from etl.simulators.sartiq.progress import Progress, advance_days
from etl.simulators.sartiq.query import HttpError, Query, last
from etl.simulators.sartiq.records import Json, iso
from etl.simulators.sartiq.store import Store

API = "/api/v1"


@dataclass(frozen=True)
class LoggedRequest:
    """One request the simulator answered."""

    method: str
    path: str
    params: dict[str, str]
    status: int
    organization_id: str | None
    authorization: str | None = field(default=None, repr=False)


class SartiqSimulator:
    """A seeded, in-memory Sartiq API; `serve()` exposes it over loopback HTTP.

    The token in `token` is accepted as a static bearer token; `username`/`password` work with
    the password flow (`POST /api/v1/login/access-token`). The user belongs to every
    organisation in `store.organizations`; `foreign_organization` is one it does not belong to.
    `start` is the clock the data is generated at (default 2024-06-03 09:00 UTC).
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
        start: datetime | None = None,
    ) -> None:
        self.store = Store(seed=seed, start=start)
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

    def advance_days(self, days: int, rng: random.Random | None = None) -> Progress:
        """Run `days` simulated days of studio work (see `progress`); the clock moves on."""
        return advance_days(self.store, days, rng)

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

    def _control(
        self, method: str, path: str, raw_query: dict[str, list[str]], authorization: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        """`POST /_sim/advance?days=N`: N simulated days of work, answered with what changed."""
        try:
            self._authorize(authorization)
            pairs = [(name, value) for name, values in raw_query.items() for value in values]
            days = advance_days_asked(method, path, pairs)
        except HttpError as exc:
            return exc.status, {"detail": exc.detail}, exc.headers
        except ControlError as refused:
            return refused.status, {"detail": refused.message}, {}
        progress = self.advance_days(days)
        body = {
            "clock": iso(self.store.clock.now()),
            "changes": dict(sorted(progress.counts.items())),
        }
        return 200, body, {}

    def login(self, form: dict[str, list[str]]) -> Json:
        username = last(form, "username")
        password = last(form, "password")
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
                    organization_id=last(raw_query, "organization_id"),
                    authorization=self.headers.get("Authorization"),
                )
            )
            self._send(status, payload, headers)

        def _dispatch(
            self, method: str, path: str, raw_query: dict[str, list[str]], body: bytes
        ) -> tuple[int, Any, dict[str, str]]:
            if path.startswith(CONTROL_PREFIX):
                # The simulator's own endpoint, not the vendor's: no faults.
                return sim._control(method, path, raw_query, self.headers.get("Authorization"))
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
                    result = answer(sim.store, path, Query(raw_query), sim.max_limit)
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
