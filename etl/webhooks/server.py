"""The HTTP receiver: `POST /hooks/grandshooting/<secret>`, checked, spooled, then 200.

The standard library's threading server is enough here: the vendor sends one message at a time
per topic, the work per request is a JSON parse and a shared fsync, and it adds no dependency
to a toolkit that otherwise runs no server.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from etl.redact import redact, register_secret
from etl.webhooks.message import MalformedMessage, parse_message
from etl.webhooks.spool import SpoolWriter

log = logging.getLogger("etl.webhooks")

PREFIX = "/hooks/grandshooting/"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class Receiver:
    """Decides the answer to one request; the HTTP plumbing is in `_Handler`."""

    def __init__(
        self,
        secret: str,
        writer: SpoolWriter,
        max_body_bytes: int,
    ) -> None:
        register_secret(secret)
        self._secret = secret.encode()
        self.writer = writer
        self.max_body_bytes = max_body_bytes
        self.unknown_topics: set[str] = set()

    def authorized(self, method: str, path: str) -> bool:
        """Only POST to the secret URL; the comparison takes the same time whatever the guess."""
        if method != "POST" or not path.startswith(PREFIX):
            return False
        given = path[len(PREFIX) :].split("?", 1)[0].rstrip("/").encode()
        return hmac.compare_digest(given, self._secret)

    def accept(self, body: bytes) -> Answer:
        try:
            message = parse_message(body)
        except MalformedMessage as exc:
            return Answer(400, {"error": str(exc)})
        if not message.known and message.topic not in self.unknown_topics:
            self.unknown_topics.add(message.topic)
            log.warning("unknown webhook topic %r: stored, not applied", message.topic)
        stored = self.writer.store(message, body)
        return Answer(200, {"stored": stored, "topic": message.topic})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: Receiver


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "shotlist-webhooks"
    # Headers and body leave in one write, without Nagle's delay (else each answer waits for
    # the client's delayed ACK, ~40 ms).
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # The request line carries the secret: log it only through the redaction.
        log.debug(redact(format % args))

    def _answer(self, answer: Answer, close: bool = False) -> None:
        payload = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _handle(self) -> None:
        receiver = self.server.receiver
        length_text = self.headers.get("Content-Length")
        if not receiver.authorized(self.command, self.path):
            # The body is not read: close so it is not taken for the next request.
            self._answer(Answer(404, {"error": "not found"}), close=True)
            return
        if length_text is None or not length_text.strip().isdigit():
            self._answer(Answer(411, {"error": "Content-Length is required"}), close=True)
            return
        length = int(length_text)
        if length > receiver.max_body_bytes:
            limit = receiver.max_body_bytes
            self._answer(Answer(413, {"error": f"body over {limit} bytes"}), close=True)
            return
        body = self.rfile.read(length)
        try:
            answer = receiver.accept(body)
        except Exception as exc:  # not stored: the vendor retries on anything but 200
            log.error("webhook not stored: %s", redact(f"{type(exc).__name__}: {exc}"))
            answer = Answer(503, {"error": "not stored, retry"})
        self._answer(answer)

    do_POST = _handle
    do_GET = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_PATCH = _handle


class RunningReceiver:
    """The receiver serving in a background thread until `close()`."""

    def __init__(self, receiver: Receiver, host: str, port: int) -> None:
        self.receiver = receiver
        self._httpd = _Server((host, port), _Handler)
        self._httpd.receiver = receiver
        address = self._httpd.server_address
        self.host: str = str(address[0])
        self.port: int = int(address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The receiving URL without its secret (safe to print)."""
        return f"http://{self.host}:{self.port}{PREFIX}<secret>"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
