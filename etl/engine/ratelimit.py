"""Rate limits shared by every request of a source, so a sync stays under the API's rate.

`SlidingWindow` is what a sync uses (it mirrors a server counting any 1-second window);
`TokenBucket` spaces requests evenly and is kept for callers that want a steady pace.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    """What the client needs of a rate limit."""

    async def acquire(self) -> Send | None: ...

    def now(self) -> float: ...

    def answered(self, send: Send, kind: str = "") -> None: ...

    def pause(self, seconds: float) -> None: ...

    def throttled(self) -> None: ...


class TokenBucket:
    """Allows `rate` acquisitions per second on average, with at most `burst` at once.

    The default burst of 1 spaces requests evenly: an API that counts requests in any 1-second
    window never sees more than `rate` of them, so a sync at the documented limit gets no 429.
    `headroom` keeps the pace a few percent under the limit, because requests sent exactly
    1/rate apart can arrive closer together after network jitter. `rate = 0` turns it off.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        headroom: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate * (1 - headroom)
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()
        self._lock = asyncio.Lock()
        self.acquired = 0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> Send | None:
        """Wait until a request may be sent."""
        self.acquired += 1
        if not self.enabled:
            return None
        # The lock makes waiters queue in order, so no request starves.
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                delay = (1 - self._tokens) / self.rate
                await asyncio.sleep(delay)
                self._refill()
            self._tokens -= 1
        return None

    def now(self) -> float:
        return self._clock()

    def throttled(self) -> None:
        """The bucket's pace is fixed: `pause` (Retry-After) is all it learns from a 429."""

    def answered(self, send: Send, kind: str = "") -> None:
        """The bucket hands out no `Send`: nothing to learn from an answer."""

    def pause(self, seconds: float) -> None:
        """After a 429, drain the bucket so no request goes out for `seconds`."""
        if self.enabled:
            self._refill()
            self._tokens = min(self._tokens, 0.0) - seconds * self.rate


class Send:
    """One request's turn: `at` is when it was sent, moved to when the send completed;
    `counted` is the latest the server can have counted it (known once answered)."""

    __slots__ = ("at", "counted")

    def __init__(self, at: float) -> None:
        self.at = at
        self.counted = at


class SlidingWindow:
    """At most `limit` sends in any `window` seconds, as a server counting a strict window does.

    A send's time is when its request finished going out (the client moves `Send.at` there), or
    later once its answer shows the server held it before counting (`answered`), so a slow
    connect, a busy loop or a busy server never squeezes two sends closer than they were
    counted; the window is otherwise used to the full. `margin` (seconds) absorbs the jitter
    between a send and its arrival, and doubles after each 429 the server still answers (up to
    0.25 s), besides the `Retry-After` pause.
    `rate` >= 1 allows floor(rate) per second; below 1, one per 1/rate seconds; 0 is off.
    """

    def __init__(
        self,
        rate: float,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.limit, self.window = (int(rate), 1.0) if rate >= 1 else (1, 1 / rate if rate else 1)
        self.margin = margin
        self._clock = clock
        self._sends: deque[Send] = deque(maxlen=self.limit)
        self._paused_until = 0.0
        self._quickest: dict[str, float] = {}
        self._lock = asyncio.Lock()
        self.acquired = 0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def now(self) -> float:
        return self._clock()

    def _wait(self) -> float:
        now = self._clock()
        wait = self._paused_until - now
        if len(self._sends) >= self.limit:
            oldest = min(max(send.at, send.counted) for send in self._sends)
            wait = max(wait, oldest + self.window + self.margin - now)
        return wait

    async def acquire(self) -> Send | None:
        """Wait for a turn; the caller stamps the returned `Send` when its request is out."""
        self.acquired += 1
        if not self.enabled:
            return None
        # The lock makes waiters queue in order, so no request starves.
        async with self._lock:
            while (wait := self._wait()) > 0:
                await asyncio.sleep(wait)
            send = Send(self._clock())
            self._sends.append(send)
            return send

    def answered(self, send: Send, kind: str = "") -> None:
        """A 200 came back: a request the server held before counting answers that much later.

        The quickest answer seen for this `kind` of request (an endpoint: a page of pictures
        takes longer to build than a look) bounds the server's own time after counting, so
        the answer's time minus it is the latest the request can have been counted at."""
        now = self._clock()
        took = now - send.at
        quickest = min(took, self._quickest.get(kind, took))
        self._quickest[kind] = quickest
        send.counted = now - quickest

    def pause(self, seconds: float) -> None:
        """`Retry-After`: no request goes out for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def throttled(self) -> None:
        """A 429 came anyway: the sends arrive less evenly than assumed, widen the margin."""
        self.margin = min(self.margin * 2 + 0.005, 0.25)
