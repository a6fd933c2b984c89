"""A token bucket shared by every request of a source, so a sync stays under the API's rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        self.acquired += 1
        if not self.enabled:
            return
        # The lock makes waiters queue in order, so no request starves.
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                delay = (1 - self._tokens) / self.rate
                await asyncio.sleep(delay)
                self._refill()
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """After a 429, drain the bucket so no request goes out for `seconds`."""
        if self.enabled:
            self._refill()
            self._tokens = min(self._tokens, 0.0) - seconds * self.rate
