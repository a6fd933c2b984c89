"""Fault switches of the Sartiq simulator, settable while it serves: 500s, 429s, latency."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One injected answer: a status, and a Retry-After (seconds) for 429s."""

    status: int
    retry_after: float | None = None


@dataclass
class Faults:
    """`error_rate`: share of requests answered 500; `rate_limit_rate`: share answered 429.

    Queued faults (`fail_next`) come first and are deterministic, for tests; the shares use a
    seeded generator so a run is reproducible. The login endpoint is subject to faults too.
    """

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: float = 1.0
    latency: float = 0.0
    seed: int = 0
    _queue: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def fail_next(
        self, count: int = 1, status: int = 500, retry_after: float | None = None
    ) -> None:
        """The next `count` requests get `status` (429s carry Retry-After)."""
        if status == 429 and retry_after is None:
            retry_after = self.retry_after
        with self._lock:
            self._queue.extend(Fault(status, retry_after) for _ in range(count))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.error_rate = 0.0
            self.rate_limit_rate = 0.0
            self.latency = 0.0

    def draw(self) -> Fault | None:
        """The fault for the request being answered, if any."""
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            roll = self._rng.random()
            if roll < self.error_rate:
                return Fault(500)
            if roll < self.error_rate + self.rate_limit_rate:
                return Fault(429, self.retry_after)
            return None
