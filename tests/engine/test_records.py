"""Lenient API dates: every shape gives the naive UTC time, whichever path reads it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from etl.engine.records import parse_api_datetime


def reference(value: str) -> datetime | None:
    """The slow, obvious reading: aware ISO converted to UTC, else the lenient formats."""
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S"):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValueError(text) from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


DAYS = ["2026-08-06", "2026-12-31", "2024-02-29", "06/08/2026", "2026-13-01"]
TIMES = ["", "T07:56:39", " 07:56:39", "T23:59:59.999", "T00:00:00.000001", "T07", "T07:56"]
ZONES = ["", "Z", "+02:00", "-05:30", "+00:00", "+01:00Z", " Z", "z"]


@pytest.mark.parametrize(
    "value", ["".join(parts) for parts in itertools.product(DAYS, TIMES, ZONES)]
)
def test_parse_api_datetime_agrees_with_the_obvious_reading(value: str) -> None:
    try:
        expected = reference(value)
    except ValueError:
        with pytest.raises(ValueError):
            parse_api_datetime(value)
        return
    assert parse_api_datetime(value) == expected
    if expected is not None:
        assert parse_api_datetime(value).tzinfo is None
