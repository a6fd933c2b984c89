"""The lean HTTP/1.1 transport: bodies of every framing, kept-alive connections, errors, hooks."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from etl.engine.auth import BearerToken
from etl.engine.client import ApiClient
from etl.engine.paginators import PageRequest
from etl.engine.ratelimit import SlidingWindow
from etl.engine.transport import LeanTransport, wanted

# One scripted answer: the bytes to write, and whether to close the connection after them.
Answer = tuple[bytes, bool]


class Server:
    """A loopback server answering each request with the next scripted answer."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.requests.append(head + await reader.readexactly(length))
                data, close = self.answers.pop(0)
                writer.write(data)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def serve(
    answers: list[Answer],
    client: Callable[[str, httpx.AsyncClient], Awaitable[Any]],
    **client_options: Any,
) -> tuple[Any, Server]:
    server = Server(answers)

    async def main() -> Any:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        try:
            options = {"transport": LeanTransport(), **client_options}
            async with httpx.AsyncClient(**options) as http:
                return await client(f"http://127.0.0.1:{port}", http)
        finally:
            listening.close()
            await listening.wait_closed()

    return asyncio.run(main()), server


def answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def test_transport_reads_bodies_of_every_framing_on_one_connection() -> None:
    chunks = b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
    zipped = gzip.compress(b"zipped")
    answers = [
        (answer(b'{"a": 1}', "Content-Length: 8", "Content-Type: application/json"), False),
        (answer(chunks, "Transfer-Encoding: chunked"), False),
        (answer(b"", "Content-Length: 0", status="204 No Content"), False),
        (answer(zipped, f"Content-Length: {len(zipped)}", "Content-Encoding: gzip"), False),
    ]

    async def client(base: str, http: httpx.AsyncClient) -> list[Any]:
        first = await http.get(f"{base}/a?x=1&y=%C3%A9", headers={"offset": "100"})
        chunked = await http.get(f"{base}/b")
        empty = await http.get(f"{base}/c")
        zipped = await http.get(f"{base}/d")
        return [first.json(), chunked.content, empty.status_code, empty.content, zipped.text]

    results, server = serve(answers, client)
    assert results == [{"a": 1}, b"abcde", 204, b"", "zipped"]
    assert server.connections == 1
    first = server.requests[0].decode()
    assert first.startswith("GET /a?x=1&y=%C3%A9 HTTP/1.1\r\n")
    assert "\r\noffset: 100\r\n" in first and "\r\nHost: 127.0.0.1:" in first


def test_transport_reads_to_the_end_without_a_length_and_opens_a_new_connection() -> None:
    answers = [
        (answer(b"until the end"), True),
        (answer(b"ok", "Content-Length: 2", "Connection: close"), True),
        (answer(b"again", "Content-Length: 5"), False),
    ]

    async def client(base: str, http: httpx.AsyncClient) -> list[bytes]:
        return [(await http.get(f"{base}/{i}")).content for i in range(3)]

    results, server = serve(answers, client)
    assert results == [b"until the end", b"ok", b"again"]
    assert server.connections == 3


def test_transport_does_not_reuse_a_connection_the_server_closed_while_idle() -> None:
    # The server ends the connection right after its answer (without saying so): once the loop
    # has read its end, the next request opens a new connection instead of failing.
    answers = [
        (answer(b"one", "Content-Length: 3"), True),
        (answer(b"two", "Content-Length: 3"), False),
    ]
    transport = LeanTransport()

    async def client(base: str, http: httpx.AsyncClient) -> list[bytes]:
        first = (await http.get(f"{base}/1")).content
        (idle,) = [c for kept in transport._idle.values() for c in kept]
        while not idle.reader.at_eof():
            await asyncio.sleep(0.001)
        return [first, (await http.get(f"{base}/2")).content]

    results, server = serve(answers, client, transport=transport)
    assert results == [b"one", b"two"]
    assert server.connections == 2


def test_transport_sends_a_request_body() -> None:
    answers = [(answer(b"{}", "Content-Length: 2"), False)]

    async def client(base: str, http: httpx.AsyncClient) -> int:
        return (await http.post(f"{base}/login", json={"user": "a"})).status_code

    status, server = serve(answers, client)
    assert status == 200
    assert server.requests[0].startswith(b"POST /login HTTP/1.1\r\n")
    assert server.requests[0].endswith(b'\r\n\r\n{"user":"a"}')


def test_transport_calls_the_trace_hooks_in_httpcores_order() -> None:
    answers = [(answer(b"x", "Content-Length: 1"), False)]
    events: list[str] = []

    async def trace(event: str, info: dict[str, Any]) -> None:
        events.append(event)

    async def client(base: str, http: httpx.AsyncClient) -> bytes:
        return (await http.get(f"{base}/", extensions={"trace": trace})).content

    body, _ = serve(answers, client)
    assert body == b"x"
    assert events == [
        "http11.send_request_headers.started",
        "http11.send_request_headers.complete",
        "http11.receive_response_headers.complete",
    ]


def test_transport_raises_httpx_errors() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there

    async def refused() -> None:
        async with httpx.AsyncClient(transport=LeanTransport()) as http:
            await http.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx.ConnectError) as caught:
        asyncio.run(refused())
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)

    async def truncated(base: str, http: httpx.AsyncClient) -> None:
        await http.get(f"{base}/")

    with pytest.raises(httpx.RemoteProtocolError):
        serve([(answer(b"short", "Content-Length: 10"), True)], truncated)
    with pytest.raises(httpx.RemoteProtocolError):
        serve([(b"garbage\r\n\r\n", True)], truncated)
    # The server never answers: the read times out.
    with pytest.raises(httpx.ReadTimeout):
        serve([(b"", False), (b"", False)], truncated, timeout=httpx.Timeout(5.0, read=0.2))


def test_transport_is_not_wanted_behind_a_proxy() -> None:
    assert wanted({})
    assert wanted({"NO_PROXY": "localhost"})
    assert not wanted({"HTTPS_PROXY": "http://proxy:3128"})
    assert not wanted({"all_proxy": "socks5://proxy"})


def test_client_pages_go_straight_to_the_transport_as_the_client_would_send_them() -> None:
    # The same request bytes either way; a cookie an answer sets is kept and sent back (the
    # client's path is taken once the jar holds one).
    answers = [
        (answer(b"[1]", "Content-Length: 3"), False),
        (answer(b"[2]", "Content-Length: 3", "Set-Cookie: session=abc; Path=/"), False),
        (answer(b"[3]", "Content-Length: 3"), False),
    ]
    server = Server(answers)
    params = (("sort_by", "picture_id"), ("picture_id", "gte:12"), ("q", "a b/é"))

    async def main() -> list[object]:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        client = ApiClient(
            f"http://127.0.0.1:{port}/v3", BearerToken("t"), limiter=SlidingWindow(0)
        )
        try:
            async with client:
                assert client._direct is not None
                return [
                    (await client.get("/picture", PageRequest(params=params)))[1] for _ in range(3)
                ]
        finally:
            listening.close()
            await listening.wait_closed()

    assert asyncio.run(main()) == [[1], [2], [3]]
    first, second, third = (r.decode() for r in server.requests)
    assert first == second
    assert first.startswith(
        "GET /v3/picture?sort_by=picture_id&picture_id=gte%3A12&q=a+b%2F%C3%A9 HTTP/1.1\r\n"
    )
    for header in (
        "Accept: application/json",
        "User-Agent: shotlist-analytics",
        "Authorization: Bearer t",
    ):
        assert f"\r\n{header}\r\n" in first
    assert "\r\nCookie: session=abc\r\n" in third and "Cookie" not in first
    # Through the client (the third) the same lines were sent, the cookie aside.
    assert sorted(third.replace("Cookie: session=abc\r\n", "").split("\r\n")) == sorted(
        first.split("\r\n")
    )


def test_transport_speaks_tls(tmp_path: Path) -> None:
    # A self-signed certificate for 127.0.0.1, trusted by the client's context only.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    client_context = ssl.create_default_context(cafile=str(cert_file))
    server = Server([(answer(b"[1]", "Content-Length: 3"), False)] * 2)

    async def main() -> list[bytes]:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=server_context)
        port = listening.sockets[0].getsockname()[1]
        try:
            transport = LeanTransport(ssl_context=client_context)
            async with httpx.AsyncClient(transport=transport) as http:
                return [(await http.get(f"https://127.0.0.1:{port}/x")).content for _ in range(2)]
        finally:
            listening.close()
            await listening.wait_closed()

    assert asyncio.run(main()) == [b"[1]", b"[1]"]
    assert server.connections == 1

    # A certificate the client does not trust: a connect error, never a silent plain request.
    async def untrusted() -> None:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=server_context)
        port = listening.sockets[0].getsockname()[1]
        try:
            async with httpx.AsyncClient(transport=LeanTransport()) as http:
                await http.get(f"https://127.0.0.1:{port}/x")
        finally:
            listening.close()
            await listening.wait_closed()

    server.answers = [(answer(b"[1]", "Content-Length: 3"), False)]
    with pytest.raises(httpx.ConnectError):
        asyncio.run(untrusted())
