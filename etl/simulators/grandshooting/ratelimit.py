"""The API's rate limit as the server enforces it: at most N requests per key in any 1 s window."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Counts the requests each key was allowed in the last `window` seconds.

    `rate` requests per second: with rate >= 1, floor(rate) requests in any 1 s window; below 1,
    one request per 1/rate seconds. 0 turns the limit off.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}
        self.rate = rate

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if value < 0:
            raise ValueError("rate limit must be >= 0")
        self._rate = float(value)
        if value == 0:
            self._allowed, self._window = 0, 1.0
        elif value >= 1:
            self._allowed, self._window = int(math.floor(value)), 1.0
        else:
            self._allowed, self._window = 1, 1.0 / value

    def acquire(self, key: str) -> float | None:
        """None if the request may go on, else the seconds until the window has room again."""
        if self._rate == 0:
            return None
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self._window:
                seen.popleft()
            if len(seen) >= self._allowed:
                return max(seen[0] + self._window - now, 0.001)
            seen.append(now)
            return None
