"""The simulator's rate limit: at most N requests per token in any 1 s window, then 429."""

from __future__ import annotations

import httpx

from etl.simulators.grandshooting import Catalog, GrandShootingSimulator
from etl.simulators.grandshooting.ratelimit import SlidingWindowLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_ratelimit_window_allows_n_per_second() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(5, clock=clock)
    assert [limiter.acquire("t") for _ in range(5)] == [None] * 5
    wait = limiter.acquire("t")
    assert wait is not None and 0.99 < wait <= 1.0
    clock.now += 0.5
    assert limiter.acquire("t") is not None  # still 5 in the last second
    clock.now += 0.51
    assert limiter.acquire("t") is None
    assert limiter.acquire("other-token") is None  # per token


def test_ratelimit_sliding_not_fixed_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, clock=clock)
    limiter.acquire("t")
    clock.now += 0.9
    limiter.acquire("t")
    clock.now += 0.2  # a new "second" began, but the request 0.2 s ago is still in the window
    assert limiter.acquire("t") is None  # the first left the window
    assert limiter.acquire("t") is not None


def test_ratelimit_off_and_fractional_rates() -> None:
    clock = FakeClock()
    off = SlidingWindowLimiter(0, clock=clock)
    assert all(off.acquire("t") is None for _ in range(100))
    slow = SlidingWindowLimiter(0.5, clock=clock)
    assert slow.acquire("t") is None
    clock.now += 1.5
    assert slow.acquire("t") is not None
    clock.now += 0.6
    assert slow.acquire("t") is None


def test_ratelimit_http_answers_429_with_retry_after(shared_catalog: Catalog) -> None:
    # One request per 2 s: the second, sent at once, is refused whatever the machine's speed.
    simulator = GrandShootingSimulator(shared_catalog, token="t", rate_limit=0.5)
    with (
        simulator.serve() as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as api,
    ):
        assert api.get("/shootingmethod").status_code == 200
        refused = api.get("/shootingmethod")
        assert refused.status_code == 429
        assert refused.json() == {"errors": [{"message": "Rate limit exceeded"}]}
        assert refused.headers["Retry-After"] in ("1", "2")
        simulator.rate_limit = 0
        assert api.get("/shootingmethod").status_code == 200
    assert [r.status for r in simulator.requests] == [200, 429, 200]
