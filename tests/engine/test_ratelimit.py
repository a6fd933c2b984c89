"""The token bucket: pace under the limit, no burst above it, pauses after a 429."""

from __future__ import annotations

import asyncio

import pytest

from etl.engine.ratelimit import TokenBucket


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sends: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    time = FakeTime()
    monkeypatch.setattr("etl.engine.ratelimit.asyncio.sleep", time.sleep)
    return time


def test_ratelimit_never_exceeds_rate_in_any_window(fake: FakeTime) -> None:
    bucket = TokenBucket(5.0, clock=fake.clock)

    async def main() -> None:
        async def one() -> None:
            await bucket.acquire()
            fake.sends.append(fake.now)

        await asyncio.gather(*(one() for _ in range(50)))

    asyncio.run(main())
    assert len(fake.sends) == 50
    # In any window of one second, at most 5 requests start.
    for start in fake.sends:
        assert sum(1 for t in fake.sends if start <= t < start + 1.0) <= 5
    # And the budget is nearly all used: 50 requests take about 10 s, not much more.
    assert 9.5 <= fake.sends[-1] <= 10.5


def test_ratelimit_zero_is_off(fake: FakeTime) -> None:
    bucket = TokenBucket(0, clock=fake.clock)

    async def main() -> None:
        await asyncio.gather(*(bucket.acquire() for _ in range(100)))

    asyncio.run(main())
    assert fake.now == 0.0
    assert bucket.acquired == 100


def test_ratelimit_pause_holds_requests_back(fake: FakeTime) -> None:
    bucket = TokenBucket(5.0, clock=fake.clock)

    async def main() -> float:
        await bucket.acquire()
        bucket.pause(2.0)
        await bucket.acquire()
        return fake.now

    assert asyncio.run(main()) >= 2.0
