"""Splitting an integer key space into ranges that can be paged by key concurrently."""

from __future__ import annotations

import math
from typing import Any

ROWS_PER_RANGE = 2_000
MAX_RANGES = 64


def split_key_space(
    low: int,
    high: int,
    rows: int | None,
    *,
    rows_per_range: int = ROWS_PER_RANGE,
    max_ranges: int = MAX_RANGES,
) -> list[dict[str, Any]]:
    """Ranges `[lo, hi)` covering keys from `low` to `high` inclusive, about `rows_per_range` each.

    The last range is open-ended (`hi` None) so rows created during the sync, whose keys are
    above today's highest, are still read. Each range carries its checkpoint: `next` is the
    last key landed (None before the first page), `done` once its last page was read.
    """
    end = high + 1
    count = rows if rows is not None else end - low
    n = max(1, min(max_ranges, math.ceil(count / rows_per_range)))
    step = max(1, math.ceil((end - low) / n))
    starts = list(range(low, end, step))
    return [
        {"lo": start, "hi": starts[i + 1] if i + 1 < len(starts) else None, "next": None}
        for i, start in enumerate(starts)
    ]
