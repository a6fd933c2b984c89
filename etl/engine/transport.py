"""A lean HTTP/1.1 transport for httpx on asyncio streams: kept-alive connections, whole bodies.

httpx's own transport (httpcore over anyio, h11) spends about 1.5 ms of CPU per request on
bookkeeping: some 4,500 Python calls for one GET, against about 0.1 ms for the same exchange
on asyncio's streams. The API's answers are small JSON pages read whole, so this transport does
only what they need: one request at a time per connection, idle connections kept per origin,
bodies by `Content-Length`, chunked or to the connection's end. Content decoding (gzip...),
redirects and cookies stay httpx's, above the transport. It raises httpx's exceptions, reads
the timeouts httpx puts on each request, and calls the request's `trace` extension at the same
points and with the same event names as httpcore, so the rate limit takes its turn right before
the request's bytes are written. Proxies are not supported: `wanted()` says when to keep httpx's
transport instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

Trace = Callable[[str, dict[str, Any]], Awaitable[None]]
Origin = tuple[str, str, int]

# Answers whose headers do not fit are refused (httpcore allows about as much).
MAX_HEAD = 1 << 20
# Idle connections kept per origin; more are closed as they come back.
MAX_IDLE = 32
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_NO_BODY = frozenset({204, 304})


def wanted(env: Mapping[str, str] = os.environ) -> bool:
    """True unless a proxy is configured in the environment (httpx's own transport honours it)."""
    return not any(env.get(name) or env.get(name.upper()) for name in _PROXY_VARIABLES)


class _Connection:
    """One kept-alive connection: a reader and a writer, one exchange at a time."""

    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        """False once the server has closed it (an idle connection's EOF has been read)."""
        return not (self.writer.is_closing() or self.reader.at_eof())

    def close(self) -> None:
        self.writer.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """httpx transport: HTTP/1.1 over asyncio streams, connections kept per origin."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}", request=request)
        origin = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        trace: Trace | None = request.extensions.get("trace")
        body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        if body and request.headers.get("transfer-encoding", "").lower() == "chunked":
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        connection = self._reuse(origin) or await self._open(origin, timeouts, request)
        try:
            response, reusable = await _exchange(connection, request, body, timeouts, trace)
        except BaseException:
            connection.close()
            raise
        if reusable:
            self._keep(origin, connection)
        else:
            connection.close()
        return response

    def _reuse(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()
        return None

    def _keep(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if self._closed or len(idle) >= MAX_IDLE:
            connection.close()
        else:
            idle.append(connection)

    async def _open(
        self, origin: Origin, timeouts: dict[str, float | None], request: httpx.Request
    ) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
            context = self._ssl_context
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                    limit=MAX_HEAD,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out while connecting", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            # The cause stays attached: the client tells a refused connection or an unknown
            # host (a wrong base URL) from a passing failure by it.
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        self._closed = True
        connections = [c for idle in self._idle.values() for c in idle]
        self._idle.clear()
        for connection in connections:
            connection.close()
        for connection in connections:
            # Already gone (reset by the server...): nothing left to release.
            with contextlib.suppress(OSError, ssl.SSLError):
                await connection.writer.wait_closed()


async def _exchange(
    connection: _Connection,
    request: httpx.Request,
    body: bytes,
    timeouts: dict[str, float | None],
    trace: Trace | None,
) -> tuple[httpx.Response, bool]:
    """Write one request and read its whole answer; also says if the connection can be kept."""
    method = request.method.encode("ascii")
    head = [b"%s %s HTTP/1.1" % (method, request.url.raw_path)]
    head.extend(b"%s: %s" % pair for pair in request.headers.raw)
    head.append(b"\r\n")
    if trace is not None:
        await trace("http11.send_request_headers.started", {"request": request})
    writer, reader = connection.writer, connection.reader
    try:
        async with asyncio.timeout(timeouts.get("write")):
            writer.write(b"\r\n".join(head) + body)
            await writer.drain()
    except TimeoutError:
        raise httpx.WriteTimeout("timed out while sending", request=request) from None
    except OSError as exc:
        raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc
    if trace is not None:
        await trace("http11.send_request_headers.complete", {"request": request})
    read_timeout = timeouts.get("read")
    while True:
        version, status, reason, headers = await _read_head(reader, read_timeout, request)
        # An interim answer (100 Continue...) is followed by the real one.
        if not 100 <= status < 200:
            break
    if trace is not None:
        await trace(
            "http11.receive_response_headers.complete",
            {"request": request, "return_value": (version, status, reason, headers)},
        )
    fields = {name.lower(): value for name, value in headers}
    reusable = version == b"HTTP/1.1" and b"close" not in fields.get(b"connection", b"").lower()
    if method == b"HEAD" or status in _NO_BODY:
        content = b""
    elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
        content = await _read_chunked(reader, read_timeout, request)
    elif b"content-length" in fields:
        try:
            length = int(fields[b"content-length"])
        except ValueError:
            raise httpx.RemoteProtocolError("malformed Content-Length", request=request) from None
        content = await _read(reader.readexactly(length), read_timeout, request)
    else:
        # No length: the body ends with the connection.
        content = await _read(reader.read(), read_timeout, request)
        reusable = False
    response = httpx.Response(
        status,
        headers=headers,
        stream=httpx.ByteStream(content),
        extensions={"http_version": version, "reason_phrase": reason},
        request=request,
    )
    return response, reusable


async def _read(pending: Awaitable[bytes], timeout: float | None, request: httpx.Request) -> bytes:
    try:
        async with asyncio.timeout(timeout):
            return await pending
    except TimeoutError:
        raise httpx.ReadTimeout("timed out while reading", request=request) from None
    except asyncio.IncompleteReadError:
        raise httpx.RemoteProtocolError(
            "the server closed the connection before the answer was complete", request=request
        ) from None
    except asyncio.LimitOverrunError:
        raise httpx.RemoteProtocolError("answer headers too large", request=request) from None
    except OSError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


async def _read_head(
    reader: asyncio.StreamReader, timeout: float | None, request: httpx.Request
) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
    """The status line and headers of an answer."""
    raw = await _read(reader.readuntil(b"\r\n\r\n"), timeout, request)
    lines = raw[:-4].split(b"\r\n")
    status_line = lines[0].split(b" ", 2)
    try:
        version, status = status_line[0], int(status_line[1])
    except (IndexError, ValueError):
        raise httpx.RemoteProtocolError(
            f"malformed status line {lines[0][:80]!r}", request=request
        ) from None
    if not version.startswith(b"HTTP/1."):
        raise httpx.RemoteProtocolError(f"unsupported version {version!r}", request=request)
    reason = status_line[2] if len(status_line) > 2 else b""
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"malformed header {line[:80]!r}", request=request)
        headers.append((name, value.strip()))
    return version, status, reason, headers


async def _read_chunked(
    reader: asyncio.StreamReader, timeout: float | None, request: httpx.Request
) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await _read(reader.readuntil(b"\r\n"), timeout, request)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise httpx.RemoteProtocolError("malformed chunk size", request=request) from None
        if size == 0:
            # Trailers, if any, up to the empty line that ends the body.
            while await _read(reader.readuntil(b"\r\n"), timeout, request) != b"\r\n":
                pass
            return b"".join(parts)
        chunk = await _read(reader.readexactly(size + 2), timeout, request)
        if chunk[-2:] != b"\r\n":
            raise httpx.RemoteProtocolError("malformed chunk", request=request)
        parts.append(chunk[:-2])
