"""The rate limit shared by every request of a source: a window paced as the server counts it.

The API counts at most N requests in any window (Grand Shooting: 5 in any second, per key).
`SlidingWindow` keeps the same count on our side, from the two things we can observe of each
request: when its bytes left (the server cannot have counted it earlier), and when its answer
came back (the server counted it at least its quickest answer time before that).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

# Answers of a kind (an endpoint) needed before its own quickest answer is trusted; until
# then the quickest answer of any kind bounds it, so a first slow answer cannot mislead.
SAMPLES_PER_KIND = 3
# Answers of any kind needed before the quickest of them is trusted: the first answers may all
# have waited on a busy server before being counted, so until then a request counts until its
# answer arrived (safe, and it costs only the first window of each chain).
WARM_UP_ANSWERS = 5
# What the bounds can miss: the quickest answer's own wait before it was counted, and jitter
# in building and sending answers (traced on loopback: at most 1.4 ms, `trace_limited.py`).
MARGIN = 0.005
MAX_MARGIN = 0.25


class Limiter(Protocol):
    """What the client needs of a rate limit."""

    async def ready(self) -> None: ...

    async def acquire(self) -> Send | None: ...

    def now(self) -> float: ...

    def answered(self, send: Send, kind: str, at: float, ok: bool = True) -> None: ...

    def failed(self, send: Send) -> None: ...

    def pause(self, seconds: float) -> None: ...

    def throttled(self) -> None: ...


class Send:
    """One request's place in the window.

    `at` is when its bytes left, the earliest the server can have counted it; `counted` is the
    latest it can have been counted, `at` until an answer shows the server held it longer.
    """

    __slots__ = ("at", "counted", "settled")

    def __init__(self, at: float) -> None:
        self.at = at
        self.counted = at
        self.settled = False


class SlidingWindow:
    """At most `limit` sends in any `window` seconds, as a server counting a strict window does.

    A new request goes once the `limit`-th latest count among the earlier sends is a window
    (plus `margin`) behind: each send's count is taken at its latest possible time, so the
    server never sees `limit + 1` in one window, and the window is otherwise used to the full.
    The client takes its turn right before the request's bytes are written (`Send.at`), and
    reports the answer's arrival (`answered`): an answer slower than the quickest of its
    endpoint says the server held the request that much before counting it. `margin`
    (seconds) covers what those bounds can miss; it doubles after each 429 (up to 0.25 s),
    besides the `Retry-After` pause.
    The first `warm_up` answers teach the quickest answer but are bounded by their own arrival.
    `rate` >= 1 allows floor(rate) per second; below 1, one per 1/rate seconds; 0 is off.
    """

    def __init__(
        self,
        rate: float,
        margin: float = MARGIN,
        clock: Callable[[], float] = time.monotonic,
        warm_up: int = WARM_UP_ANSWERS,
    ) -> None:
        self.rate = rate
        self.limit, self.window = (int(rate), 1.0) if rate >= 1 else (1, 1 / rate if rate else 1)
        self.margin = margin
        self._clock = clock
        self._sends: list[Send] = []
        self._paused_until = 0.0
        # Per kind: (answers seen, quickest answer); and the quickest answer of any kind.
        self._quickest: dict[str, tuple[int, float]] = {}
        self._quickest_any: float | None = None
        self._answers = 0
        self._warm_up = warm_up
        self._lock = asyncio.Lock()
        self.acquired = 0
        self._granted = 0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def now(self) -> float:
        return self._clock()

    def _wait(self, now: float) -> float:
        wait = self._paused_until - now
        horizon = now - self.window - self.margin
        # Settled sends counted before the horizon no longer weigh on any future window.
        self._sends = [s for s in self._sends if not s.settled or s.counted > horizon]
        if len(self._sends) >= self.limit:
            latest = sorted((s.counted for s in self._sends), reverse=True)
            wait = max(wait, latest[self.limit - 1] + self.window + self.margin - now)
        return wait

    async def ready(self) -> None:
        """Wait out a `Retry-After` pause (before a request takes a connection)."""
        while self.enabled and (wait := self._paused_until - self._clock()) > 0:
            await asyncio.sleep(wait)

    async def acquire(self) -> Send | None:
        """Wait for a turn; the returned `Send` is stamped now, as the request goes out."""
        self.acquired += 1
        if not self.enabled:
            return None
        # The lock makes waiters queue in order, so no request starves.
        async with self._lock:
            while (wait := self._wait(self._clock())) > 0:
                await asyncio.sleep(wait)
            send = Send(self._clock())
            self._sends.append(send)
            self._granted += 1
            return send

    def answered(self, send: Send, kind: str, at: float, ok: bool = True) -> None:
        """The answer to `send` arrived at `at`.

        A 200 (`ok`) of this `kind` (an endpoint: a page of pictures takes longer to build than
        a look) took at least the quickest such answer after the server counted it, so `at`
        minus that is the latest count. Any other answer (a 429 or 5xx is answered at once)
        bounds the count by its own arrival.
        """
        took = at - send.at
        if ok:
            seen, quickest = self._quickest.get(kind, (0, took))
            quickest = min(quickest, took)
            self._quickest[kind] = (seen + 1, quickest)
            anyone = took if self._quickest_any is None else min(self._quickest_any, took)
            self._quickest_any = anyone
            self._answers += 1
            # Until the kind has its own few answers, its quickest may still be a slow one.
            bound = quickest if seen + 1 >= SAMPLES_PER_KIND else anyone
            if self._answers <= self._warm_up:
                bound = 0.0
            send.counted = max(send.at, at - bound)
        else:
            send.counted = max(send.at, at)
        send.settled = True

    def failed(self, send: Send) -> None:
        """No answer (timeout, connection lost): the server may have counted it until now."""
        send.counted = max(send.counted, self._clock())
        send.settled = True

    def pause(self, seconds: float) -> None:
        """`Retry-After`: no request goes out for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def throttled(self) -> None:
        """A 429 came anyway: the sends arrive less evenly than assumed, widen the margin.

        Not while no more than `limit` requests of ours have gone out at all: the server's
        window then held requests sent before this sync (a previous sync's last ones), which
        says nothing about our pacing. The `Retry-After` pause applies either way.
        """
        if self._granted <= self.limit:
            return
        self.margin = min(self.margin * 2 + 0.005, MAX_MARGIN)
