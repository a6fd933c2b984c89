"""Fault injection switches of the simulator, decided by a seeded RNG so runs are reproducible."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass
class Faults:
    """What can go wrong, all off by default; fields may be changed while the server runs.

    - `latency`: seconds added to every request.
    - `error_rate`: share of requests answered 500.
    - `burst_429_every`: every Nth request answers 429 with `Retry-After: <retry_after>`.
    - `truncate_rate`: share of 200 responses whose JSON body is cut half-way.
    - `drop_total_rate`: share of list responses without `X-Total-Count` / `X-Count`.
    - `mutate_while_paging`: each picture/reference list request first changes
      `mutate_rows` existing rows (status/comment, date_mod) and adds `mutate_new` pictures.
    - `timeout_every`: every Nth request sleeps `hang` seconds before answering (set `hang`
      above the client's timeout).
    - `gt_as_gte`: key filters `gt:N` are read as `gte:N`, so each page of a key-paged
      read starts again with the last row of the page before (an API off by one).
    - `seed`: seeds the RNG that decides which requests fail.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    burst_429_every: int = 0
    retry_after: float = 1.0
    truncate_rate: float = 0.0
    drop_total_rate: float = 0.0
    mutate_while_paging: bool = False
    mutate_rows: int = 3
    mutate_new: int = 2
    timeout_every: int = 0
    hang: float = 5.0
    gt_as_gte: bool = False
    seed: int = 0


@dataclass(frozen=True)
class Decision:
    """The faults one request gets."""

    burst_429: bool = False
    hang: float = 0.0
    latency: float = 0.0
    error: bool = False
    truncate: bool = False
    drop_total: bool = False
    mutate: bool = False


class FaultInjector:
    """Numbers requests and draws their faults; the same seed and request order give the same
    faults (three draws per request whatever the switches, so turning one on moves no other)."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self._count = 0
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return self._count

    def decide(self) -> Decision:
        f = self.faults
        with self._lock:
            self._count += 1
            n = self._count
            error_draw, truncate_draw, drop_draw = (
                self.rng.random(),
                self.rng.random(),
                self.rng.random(),
            )
        if f.burst_429_every and n % f.burst_429_every == 0:
            return Decision(burst_429=True)
        return Decision(
            hang=f.hang if f.timeout_every and n % f.timeout_every == 0 else 0.0,
            latency=max(f.latency, 0.0),
            error=error_draw < f.error_rate,
            truncate=truncate_draw < f.truncate_rate,
            drop_total=drop_draw < f.drop_total_rate,
            mutate=f.mutate_while_paging,
        )
