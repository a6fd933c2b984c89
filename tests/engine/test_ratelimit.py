"""The token bucket: pace under the limit, no burst above it, pauses after a 429."""

from __future__ import annotations

import asyncio

import pytest

from etl.engine.ratelimit import SlidingWindow, TokenBucket


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


def send_fifty(limiter: TokenBucket | SlidingWindow, fake: FakeTime) -> None:
    """Fifty requests at once through `limiter`; at most 5 start in any window of one second."""

    async def main() -> None:
        async def one() -> None:
            await limiter.acquire()
            fake.sends.append(fake.now)

        await asyncio.gather(*(one() for _ in range(50)))

    asyncio.run(main())
    assert len(fake.sends) == 50
    for start in fake.sends:
        assert sum(1 for t in fake.sends if start <= t < start + 1.0) <= 5


def test_ratelimit_never_exceeds_rate_in_any_window(fake: FakeTime) -> None:
    send_fifty(TokenBucket(5.0, clock=fake.clock), fake)
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


def test_sliding_window_fills_the_window_and_never_exceeds_it(fake: FakeTime) -> None:
    send_fifty(SlidingWindow(5.0, margin=0.01, clock=fake.clock), fake)
    # Five at once, then five per window of 1.01 s: 45 more after 9 windows.
    assert fake.sends[-1] == pytest.approx(9 * 1.01)


def test_sliding_window_waits_for_a_send_the_server_held(fake: FakeTime) -> None:
    window = SlidingWindow(1.0, margin=0.0, clock=fake.clock)

    async def main() -> list[float]:
        quick = await window.acquire()
        assert quick is not None
        fake.now += 0.2
        window.answered(quick, "/picture")  # 0.2 s: the quickest answer of this kind
        held = await window.acquire()
        assert held is not None and held.at == pytest.approx(1.0)
        fake.now += 0.7
        window.answered(held, "/picture")  # 0.5 s slower: counted up to 0.5 s late
        third = await window.acquire()
        assert third is not None
        return [quick.at, held.at, third.at]

    assert asyncio.run(main()) == pytest.approx([0.0, 1.0, 2.5])


def test_sliding_window_learns_from_a_429(fake: FakeTime) -> None:
    window = SlidingWindow(5.0, margin=0.01, clock=fake.clock)
    window.throttled()
    assert window.margin == pytest.approx(0.025)
    window.pause(2.0)

    async def main() -> float:
        send = await window.acquire()
        assert send is not None
        return send.at

    assert asyncio.run(main()) == pytest.approx(2.0)
