"""Python's cyclic garbage collector, run less often while a sync turns pages into rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A page of records allocates thousands of containers, nearly all freed by reference counting
# once its rows are built; at the default threshold (700) pages set off young collections that
# rescanned the live page, and every tenth an older one: 7 % of a sync's CPU when a model was
# built per record, under 2 % since rows are validated by column (`gc.callbacks`: 76 young and
# 7 older collections in a 3,000-reference sync, 1 young with this). Cycles are still
# collected, every 20,000 allocations.
SYNC_THRESHOLD = 20_000


@contextmanager
def fewer_collections(threshold: int = SYNC_THRESHOLD) -> Iterator[None]:
    """Young collections every `threshold` net allocations inside the block; restored after."""
    previous = gc.get_threshold()
    gc.set_threshold(max(threshold, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
