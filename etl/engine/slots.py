"""Request slots shared by a source's resources: work that leads to more work goes first."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# A request whose answer tells what to fetch next (a probe, the next page of a key range).
LEADS = 0
# A request that leads to nothing more (a planned offset page, a parent's children): left to
# fill the rate limit whenever the leading requests cannot, e.g. as key ranges run out.
LEAF = 1


class Slots:
    """At most `size` requests at once; waiters get a slot by priority (`LEADS` first), in order.

    With every resource running at once, a FIFO would let a long list of leaf requests queued
    early hold every slot while the key ranges, each waiting on its previous page, starve;
    then the ranges would end alone, too few to keep the rate limit busy.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._order = itertools.count()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []

    @asynccontextmanager
    async def slot(self, priority: int = LEADS) -> AsyncIterator[None]:
        await self._acquire(priority)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: int) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # handed a slot while being cancelled: pass it on
            raise

    def _release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
                return
        self._free += 1
