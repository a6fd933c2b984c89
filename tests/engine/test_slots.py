"""Request slots: a bounded number at once, waiters served by priority then in order."""

from __future__ import annotations

import asyncio

from etl.engine.slots import LEADS, LEAF, Slots


def test_slots_serve_leading_requests_before_leaves() -> None:
    async def main() -> list[str]:
        slots = Slots(1)
        order: list[str] = []
        gate = asyncio.Event()

        async def one(name: str, priority: int) -> None:
            async with slots.slot(priority):
                order.append(name)
                await gate.wait()

        first = asyncio.create_task(one("first", LEAF))
        await asyncio.sleep(0)
        # Queued while the slot is taken: two leaves, then a request that leads to more.
        waiting = [
            asyncio.create_task(one(name, priority))
            for name, priority in (("leaf-1", LEAF), ("leaf-2", LEAF), ("next page", LEADS))
        ]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(first, *waiting)
        return order

    assert asyncio.run(main()) == ["first", "next page", "leaf-1", "leaf-2"]


def test_slots_bound_the_requests_at_once_and_survive_cancelled_waiters() -> None:
    async def main() -> tuple[int, int]:
        slots = Slots(2)
        busy = peak = 0

        async def one() -> None:
            nonlocal busy, peak
            async with slots.slot():
                busy += 1
                peak = max(peak, busy)
                await asyncio.sleep(0)  # let the others queue
                busy -= 1

        tasks = [asyncio.create_task(one()) for _ in range(10)]
        await asyncio.sleep(0)
        tasks[5].cancel()  # a waiter gone: its turn passes on, no slot is lost
        results = await asyncio.gather(*tasks, return_exceptions=True)
        done = sum(1 for r in results if r is None)
        return peak, done

    assert asyncio.run(main()) == (2, 9)
