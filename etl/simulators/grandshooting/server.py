"""The simulator as a real HTTP server on loopback: auth, rate limit, faults, request log."""

from __future__ import annotations

import gc
import hmac
import math
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic_core import to_json

from etl.simulators.control import CONTROL_PREFIX, ControlError, advance_days
from etl.simulators.grandshooting.api import (
    DELEGATION_PARAMS,
    ApiFailure,
    Request,
    Response,
    error_body,
    find_route,
)
from etl.simulators.grandshooting.catalog import Catalog
from etl.simulators.grandshooting.faults import Decision, FaultInjector, Faults
from etl.simulators.grandshooting.generate import iso
from etl.simulators.grandshooting.ratelimit import SlidingWindowLimiter
from etl.simulators.grandshooting.store import AccountData

# Above this many rows, serving freezes the catalog out of the cyclic GC: its full collections
# rescanned hundreds of thousands of rows and cost more than serving itself.
FREEZE_ABOVE = 20_000
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BASE_PATH = "/v3"


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it; the Authorization header is never kept."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    status: int
    timestamp: float


class RequestLog:
    """Thread-safe, append-only log of requests (a snapshot is taken on every read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RequestRecord:
        with self._lock:
            return self._records[index]


@dataclass
class Reply:
    """What goes on the wire."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _encode(body: Any) -> bytes:
    # pydantic's Rust serialiser: compact like `json.dumps(separators=...)`, at under half the
    # CPU (a page of pictures cost the simulator 7.5 us a record to encode, 3.3 now). On a
    # benchmark's two cores the simulator's CPU is taken from the sync it serves.
    return to_json(body)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class GrandShootingSimulator:
    """Serves a `Catalog` the way Grand Shooting API v3 does.

    `rate_limit` (requests per second per token, 0 = off) and `faults` may be changed while
    it runs; `requests` logs every request (method, path, query pairs, headers without
    Authorization, status, time).
    """

    def __init__(
        self,
        catalog: Catalog,
        token: str = "demo-token",
        rate_limit: float = 5.0,
        faults: Faults | None = None,
        *,
        base_path: str = BASE_PATH,
    ) -> None:
        if not token:
            raise ValueError("the simulator needs a token")
        self.catalog = catalog
        self.base_path = base_path.rstrip("/")
        self.requests = RequestLog()
        self._token = token
        self._limiter = SlidingWindowLimiter(rate_limit)
        self._injector = FaultInjector(faults or Faults())
        # Set when a server stops, so sleeping requests (latency, hangs) end at once.
        self._interrupt = threading.Event()

    # -- runtime settings ------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._injector.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._injector = FaultInjector(faults)

    @property
    def rate_limit(self) -> float:
        return self._limiter.rate

    @rate_limit.setter
    def rate_limit(self, value: float) -> None:
        self._limiter.rate = value

    # -- one request -----------------------------------------------------------------------

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        value = headers.get("authorization", "")
        scheme, _, credential = value.strip().partition(" ")
        if scheme.lower() not in ("bearer", "access_token"):
            return False
        return hmac.compare_digest(credential.strip().encode(), self._token.encode())

    def _account(self, request: Request) -> AccountData:
        raw = next((v for k, v in request.query if k in DELEGATION_PARAMS), None)
        if raw is None:
            raw = request.headers.get("account_id")
        if raw is None or raw.strip() == "":
            if 0 not in self.catalog.account_ids:
                raise ApiFailure(403, "this key has no own account here: pass account_id")
            return self.catalog.account(0)
        try:
            account_id = int(raw)
        except ValueError:
            raise ApiFailure(400, f"account_id: {raw!r} is not a number") from None
        if account_id < 1 or account_id not in self.catalog.account_ids:
            raise ApiFailure(403, f"account {account_id} is not delegated to this key")
        return self.catalog.account(account_id)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._interrupt.wait(seconds)

    def handle(self, method: str, target: str, headers: Mapping[str, str]) -> Reply:
        """Answer one request (`target` is the path with its query string)."""
        received = time.time()
        lowered = {k.lower(): v for k, v in headers.items()}
        split = urlsplit(target)
        query = parse_qsl(split.query, keep_blank_values=True)
        reply, decision = self._answer(method.upper(), split.path, query, lowered)
        logged = {k: v for k, v in lowered.items() if k != "authorization"}
        self.requests.append(
            RequestRecord(method.upper(), split.path, list(query), logged, reply.status, received)
        )
        return reply

    def _answer(
        self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str]
    ) -> tuple[Reply, Decision | None]:
        if not self._authorized(headers):
            return self._error(401, "Unauthorized: send 'Authorization: Bearer <token>'", [
                ("WWW-Authenticate", 'Bearer realm="grand-shooting"')
            ]), None  # fmt: skip
        if path.startswith(CONTROL_PREFIX):
            # The simulator's own endpoint, not the vendor's: no rate limit, no faults.
            return self._control(method, path, query), None
        wait = self._limiter.acquire(self._token)
        if wait is not None:
            retry = str(max(1, math.ceil(wait)))
            return self._error(429, "Rate limit exceeded", [("Retry-After", retry)]), None
        if method in WRITE_METHODS:
            return self._error(
                405, f"{method} is not allowed: this simulator is read-only", [("Allow", "GET")]
            ), None
        if path != self.base_path and not path.startswith(self.base_path + "/"):
            return self._error(
                404, f"no endpoint {path} (the API lives under {self.base_path})"
            ), None
        decision = self._injector.decide()
        if decision.burst_429:
            retry = _seconds(self.faults.retry_after)
            return self._error(429, "Rate limit exceeded", [("Retry-After", retry)]), decision
        self._sleep(decision.hang)
        self._sleep(decision.latency)
        if decision.error:
            return self._error(500, "Internal server error (simulated)"), decision
        request = Request(method, path[len(self.base_path) :] or "/", query, headers)
        try:
            response = self._dispatch(request, decision)
        except ApiFailure as failure:
            return self._error(failure.status, failure.message), decision
        except Exception as exc:  # a simulator bug must still answer, never drop the line
            return self._error(500, f"Internal server error: {type(exc).__name__}"), decision
        body = _encode(response.body)
        out = dict(response.headers)
        if decision.drop_total and response.paged:
            out.pop("X-Total-Count", None)
            out.pop("X-Count", None)
        if decision.truncate and response.status == 200 and len(body) > 1:
            body = body[: len(body) // 2]
        header_list = [("Content-Type", "application/json; charset=utf-8"), *out.items()]
        return Reply(response.status, header_list, body), decision

    def _control(self, method: str, path: str, query: list[tuple[str, str]]) -> Reply:
        """`POST /_sim/advance?days=N`: N simulated days of work on every account."""
        try:
            days = advance_days(method, path, query)
        except ControlError as refused:
            return self._error(refused.status, refused.message)
        changes = self.catalog.advance_days(days)
        body = {
            "clock": iso(self.catalog.clock),
            "changes": {str(a): dict(sorted(c.counts.items())) for a, c in changes.items()},
        }
        return Reply(200, [("Content-Type", "application/json; charset=utf-8")], _encode(body))

    def _dispatch(self, request: Request, decision: Decision) -> Response:
        found = find_route(request.path)
        if found is None:
            raise ApiFailure(404, f"no endpoint GET {self.base_path}{request.path}")
        route, params = found
        if self.faults.gt_as_gte:
            query = [(k, f"gte:{v[3:]}" if v.startswith("gt:") else v) for k, v in request.query]
            request = replace(request, query=query)
        data = self._account(request)
        if route.churns and decision.mutate:
            self.catalog.churn(
                route.churns, data.account_id, self.faults.mutate_rows, self.faults.mutate_new
            )
        return route.handler(self.catalog, data, request, params)

    def _error(
        self, status: int, message: str, headers: list[tuple[str, str]] | None = None
    ) -> Reply:
        return Reply(
            status,
            [("Content-Type", "application/json; charset=utf-8"), *(headers or [])],
            _encode(error_body(message)),
        )

    # -- serving ---------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
        """Start serving in a background thread; use as a context manager or call close()."""
        self._interrupt = threading.Event()
        httpd = _Server((host, port), _Handler)
        httpd.simulator = self
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"grandshooting-simulator-{httpd.server_address[1]}",
            daemon=True,
        )
        frozen = self.catalog.size() >= FREEZE_ABOVE
        if frozen:
            gc.freeze()
        thread.start()
        return RunningServer(self, httpd, thread, self._interrupt, frozen=frozen)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    simulator: GrandShootingSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected (the timeout fault): no traceback.
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GrandShootingSimulator/3.3.1"
    disable_nagle_algorithm = True
    # Buffered: headers and body leave in one write (flushed after each request).
    wbufsize = 1 << 16
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None  # the simulator keeps its own request log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # A chunked body is not read (nothing here accepts one): end the connection after
            # the answer rather than parse the rest of it as the next request.
            self.close_connection = True
        reply = self.server.simulator.handle(self.command, self.path, dict(self.headers.items()))
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_PATCH = _serve
    do_DELETE = _serve


class RunningServer:
    """A simulator serving on a loopback port until `close()` (or the end of a `with`)."""

    def __init__(
        self,
        simulator: GrandShootingSimulator,
        httpd: _Server,
        thread: threading.Thread,
        interrupt: threading.Event,
        *,
        frozen: bool = False,
    ) -> None:
        self.simulator = simulator
        self._frozen = frozen
        self._httpd = httpd
        self._thread = thread
        self._interrupt = interrupt
        host, port = httpd.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.base_url = f"http://{self.host}:{self.port}{simulator.base_path}"

    def close(self) -> None:
        if self._interrupt.is_set():
            return
        self._interrupt.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        if self._frozen:
            gc.unfreeze()

    def wait(self) -> None:
        """Block until the server is closed (Ctrl-C interrupts the wait)."""
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
