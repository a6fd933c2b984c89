"""The end-of-pass check: rows received against the totals the API announced."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """`missing` > 0: rows were lost; `warning`: a gap explained by rows changing meanwhile."""

    missing: int = 0
    warning: str | None = None


def judge(received: int, total_start: int, total_end: int | None) -> Verdict:
    """Compare distinct rows received with the totals announced at the start and the end.

    Matching either total is complete. Between the two totals, or above both, the gap is
    explained by rows created, changed or deleted during the sync: a warning. Below both,
    rows the API holds were not received.
    """
    totals = [t for t in (total_start, total_end) if t is not None]
    if received in totals:
        return Verdict()
    low, high = min(totals), max(totals)
    if received < low:
        return Verdict(missing=low - received)
    if received > high:
        return Verdict(
            warning=f"received {received} rows, more than the {high} announced: "
            "rows changed during the sync"
        )
    return Verdict(
        warning=f"received {received} rows, the API announced {total_start} at the start "
        f"and {total_end} at the end: rows changed during the sync"
    )
