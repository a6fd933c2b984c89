"""The sliding window: fills the server's window, never more, from what the answers show."""

from __future__ import annotations

import asyncio

import pytest

from etl.engine.ratelimit import SlidingWindow


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


def send_fifty(limiter: SlidingWindow, fake: FakeTime) -> None:
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


def test_sliding_window_fills_the_window_and_never_exceeds_it(fake: FakeTime) -> None:
    send_fifty(SlidingWindow(5.0, margin=0.01, clock=fake.clock), fake)
    # Five at once, then five per window of 1.01 s: 45 more after 9 windows.
    assert fake.sends[-1] == pytest.approx(9 * 1.01)


def test_sliding_window_zero_is_off(fake: FakeTime) -> None:
    window = SlidingWindow(0, clock=fake.clock)

    async def main() -> list[object]:
        return await asyncio.gather(*(window.acquire() for _ in range(100)))

    assert asyncio.run(main()) == [None] * 100
    assert fake.now == 0.0
    assert window.acquired == 100


def test_sliding_window_waits_for_a_send_the_server_held(fake: FakeTime) -> None:
    window = SlidingWindow(1.0, margin=0.0, clock=fake.clock, warm_up=0)

    async def main() -> list[float]:
        quick = await window.acquire()
        assert quick is not None
        window.answered(quick, "/picture", at=0.2)  # 0.2 s: the quickest answer of this kind
        fake.now = 0.2
        held = await window.acquire()
        assert held is not None and held.at == pytest.approx(1.0)
        window.answered(held, "/picture", at=1.7)  # 0.5 s slower: counted up to 0.5 s late
        assert held.counted == pytest.approx(1.5)
        third = await window.acquire()
        assert third is not None
        return [quick.at, held.at, third.at]

    assert asyncio.run(main()) == pytest.approx([0.0, 1.0, 2.5])


def test_sliding_window_counts_the_latest_sends_not_the_last_granted(fake: FakeTime) -> None:
    # Two per second. The first send is held 0.5 s by the server, the second is not: the third
    # may go one second after the second's count, the fourth only one second after the first's.
    window = SlidingWindow(2.0, margin=0.0, clock=fake.clock, warm_up=0)

    async def main() -> list[float]:
        first = await window.acquire()
        fake.now = 0.1
        second = await window.acquire()
        assert first is not None and second is not None
        window.answered(second, "/look", at=0.3)  # the quickest: 0.2 s after its count
        window.answered(first, "/look", at=0.7)  # 0.7 s: counted up to 0.5 s after sending
        third = await window.acquire()
        fourth = await window.acquire()
        assert third is not None and fourth is not None
        return [third.at, fourth.at]

    assert asyncio.run(main()) == pytest.approx([1.1, 1.5])


def test_sliding_window_first_answers_of_a_kind_use_the_quickest_of_any(fake: FakeTime) -> None:
    window = SlidingWindow(5.0, margin=0.0, clock=fake.clock, warm_up=0)

    async def main() -> tuple[float, float, float]:
        look = await window.acquire()
        picture = await window.acquire()
        assert look is not None and picture is not None
        window.answered(look, "/style/look", at=0.25)  # the quickest of any kind so far
        # The first page of pictures took 0.4 s: maybe slow to build, maybe held 0.15 s before
        # counting; with no other answer of its kind the bound assumes held.
        window.answered(picture, "/picture", at=0.4)
        first_bound = picture.counted
        for _ in range(2):
            more = await window.acquire()
            assert more is not None
            window.answered(more, "/picture", at=more.at + 0.4)
        # Three answers of 0.4 s: that is how long a page of pictures takes; none was held.
        later = await window.acquire()
        assert later is not None
        window.answered(later, "/picture", at=later.at + 0.4)
        return first_bound, later.counted, later.at

    first_bound, counted, sent = asyncio.run(main())
    assert first_bound == pytest.approx(0.15)
    assert counted == pytest.approx(sent)


def test_sliding_window_bounds_its_first_answers_by_their_arrival(fake: FakeTime) -> None:
    # The very first answers may all have waited on a busy server before it counted them:
    # until `warm_up` answers came, each counts until its own arrival.
    window = SlidingWindow(5.0, margin=0.0, clock=fake.clock, warm_up=2)

    async def main() -> list[float]:
        sends = [await window.acquire() for _ in range(3)]
        for send in sends:
            assert send is not None
            window.answered(send, "/picture", at=0.3)
        return [send.counted for send in sends if send is not None]

    assert asyncio.run(main()) == pytest.approx([0.3, 0.3, 0.0])


def test_sliding_window_bounds_refusals_and_failures_by_their_own_time(fake: FakeTime) -> None:
    window = SlidingWindow(5.0, margin=0.0, clock=fake.clock)

    async def main() -> tuple[float, float]:
        refused = await window.acquire()
        lost = await window.acquire()
        assert refused is not None and lost is not None
        window.answered(refused, "/picture", at=0.05, ok=False)  # a 429 answers at once
        fake.now = 3.0
        window.failed(lost)  # timed out: the server may have counted it until now
        return refused.counted, lost.counted

    assert asyncio.run(main()) == pytest.approx((0.05, 3.0))


def test_sliding_window_learns_from_a_429(fake: FakeTime) -> None:
    sent = SlidingWindow(5.0, margin=0.01, clock=fake.clock)

    async def send(count: int) -> None:
        for _ in range(count):
            await sent.acquire()

    asyncio.run(send(6))  # more than the window holds: our own pacing may be the cause
    sent.throttled()
    assert sent.margin == pytest.approx(0.025)
    fake.now = 0.0
    window = SlidingWindow(5.0, margin=0.01, clock=fake.clock)
    window.pause(2.0)

    async def main() -> tuple[float, float]:
        await window.ready()
        waited = fake.now
        send = await window.acquire()
        assert send is not None
        return waited, send.at

    assert asyncio.run(main()) == pytest.approx((2.0, 2.0))


def test_sliding_window_excuses_a_429_it_cannot_have_caused(fake: FakeTime) -> None:
    # A sync's first five requests refused: requests sent before it (another sync's) filled
    # the server's window, so the pacing is not widened (the Retry-After pause still holds).
    window = SlidingWindow(5.0, margin=0.01, clock=fake.clock)

    async def first_five() -> None:
        for _ in range(5):
            await window.acquire()

    asyncio.run(first_five())
    window.throttled()
    assert window.margin == pytest.approx(0.01)
