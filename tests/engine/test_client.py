"""The API client: which failures are retried, which stop, and what the messages say."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import httpx
import pytest

from etl.engine.auth import BearerToken
from etl.engine.client import ApiClient, RetryPolicy
from etl.engine.paginators import PageRequest
from etl.engine.ratelimit import SlidingWindow
from etl.errors import ApiError, AuthError, RetryBudgetExceeded, UnreachableError
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog

FAST = RetryPolicy(max_attempts=4, budget=10.0, backoff_base=0.001, backoff_cap=0.01)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response], policy: RetryPolicy = FAST
) -> ApiClient:
    return ApiClient(
        "http://127.0.0.1:9/v3",
        BearerToken("tok-123456"),
        limiter=SlidingWindow(0),
        retry=policy,
        transport=httpx.MockTransport(handler),
    )


def run_get(
    responses: list[Callable[[httpx.Request], httpx.Response]], policy: RetryPolicy = FAST
) -> tuple[object, list[httpx.Request], ApiClient]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1](request)

    async def main() -> tuple[object, ApiClient]:
        client = mock_client(handler, policy)
        async with client:
            _, body = await client.get("/picture", PageRequest(params=(("a", "1"),)))
        return body, client

    body, client = asyncio.run(main())
    return body, seen, client


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[{"picture_id": 1}])


def test_client_retries_429_then_succeeds_and_counts_it() -> None:
    throttled = lambda r: httpx.Response(  # noqa: E731
        429, json={"errors": [{"message": "Rate limit exceeded"}]}, headers={"Retry-After": "0"}
    )
    body, seen, client = run_get([throttled, throttled, ok])
    assert body == [{"picture_id": 1}]
    assert len(seen) == 3
    assert client.stats.throttled == 2
    assert seen[0].headers["Authorization"] == "Bearer tok-123456"
    assert seen[0].url.params.get_list("a") == ["1"]


def test_client_retries_500_and_truncated_bodies() -> None:
    broken = lambda r: httpx.Response(500, text="oops")  # noqa: E731
    truncated = lambda r: httpx.Response(200, content=b'[{"picture_id": 1')  # noqa: E731
    body, seen, client = run_get([broken, truncated, ok])
    assert body == [{"picture_id": 1}]
    assert client.stats.server_errors == 1
    assert client.stats.retries == 2


def test_client_gives_up_after_max_attempts() -> None:
    broken = lambda r: httpx.Response(503)  # noqa: E731
    with pytest.raises(RetryBudgetExceeded, match="HTTP 503; gave up after 4 attempts"):
        run_get([broken])


def test_client_401_is_not_retried_and_says_token_rejected() -> None:
    denied = lambda r: httpx.Response(401, json={"errors": [{"message": "bad"}]})  # noqa: E731
    with pytest.raises(AuthError) as info:
        run_get([denied, ok])
    assert str(info.value) == "token rejected by http://127.0.0.1:9/v3"
    assert "tok-123456" not in str(info.value)


def test_client_404_and_400_stop_with_the_api_message() -> None:
    missing = lambda r: httpx.Response(404, json={"errors": [{"message": "no such"}]})  # noqa: E731
    with pytest.raises(ApiError, match="answered HTTP 404: no such") as info:
        run_get([missing, ok])
    assert info.value.status == 404
    bad = lambda r: httpx.Response(400, json={"message": "offset too big"})  # noqa: E731
    with pytest.raises(ApiError, match="HTTP 400: offset too big"):
        run_get([bad, ok])


def test_client_retries_connection_errors() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    body, seen, client = run_get([refuse, ok])
    assert body == [{"picture_id": 1}]
    assert client.stats.transport_errors == 1


def test_client_stops_at_once_on_a_dns_failure_before_any_answer() -> None:
    def unknown_host(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("lookup failed", request=request) from socket.gaierror(
            -2, "Name or service not known"
        )

    with pytest.raises(UnreachableError) as caught:
        run_get([unknown_host, ok])
    assert (
        str(caught.value)
        == "cannot reach http://127.0.0.1:9/v3: host not found (DNS lookup failed)"
    )


def test_client_retries_a_refused_connection_once_the_host_has_answered() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request) from ConnectionRefusedError(111, "x")

    seen: list[httpx.Request] = []
    answers = [ok, refused, ok]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1](request)

    async def main() -> ApiClient:
        client = mock_client(handler)
        async with client:
            await client.get("/picture", PageRequest())
            await client.get("/picture", PageRequest())  # a restart mid-sync: retried
        return client

    client = asyncio.run(main())
    assert (len(seen), client.stats.transport_errors, client.stats.retries) == (3, 1, 1)


def test_client_takes_its_turn_as_the_request_goes_out_and_reports_the_answer() -> None:
    # A real server on loopback, through httpx's own transport (whose hooks take the turn).
    catalog = generate_catalog(CatalogSpec(references=5, seed=1))
    simulator = GrandShootingSimulator(catalog, token="tok-123456", rate_limit=2.0)
    window = SlidingWindow(2.0)

    async def main(base_url: str) -> int:
        client = ApiClient(base_url, BearerToken("tok-123456"), limiter=window, retry=FAST)
        async with client:
            pages = await asyncio.gather(
                *(client.get("/shootingmethod", PageRequest()) for _ in range(3))
            )
        return sum(len(body) for _, body in pages)

    with simulator.serve(host="127.0.0.1", port=0) as server:
        rows = asyncio.run(main(server.base_url))
    assert rows == 3 * len(catalog.records("shooting_methods"))
    # One turn per request, each settled by its answer; the third waited for the window.
    assert [r.status for r in simulator.requests] == [200, 200, 200]
    assert window.acquired == 3
    assert all(send.settled and send.counted >= send.at for send in window._sends)


def test_client_takes_no_turn_for_a_request_that_never_went_out() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    window = SlidingWindow(5.0)

    async def main() -> None:
        client = ApiClient(f"http://127.0.0.1:{port}/v3", BearerToken("t"), limiter=window)
        async with client:
            await client.get("/picture", PageRequest())

    with pytest.raises(UnreachableError):
        asyncio.run(main())
    assert window.acquired == 0
