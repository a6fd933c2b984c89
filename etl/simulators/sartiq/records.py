"""What every simulated Sartiq record shares: its JSON shape, seeded ids, clock-stamped times."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

Json = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """Datetimes as FastAPI/pydantic serialise them: ISO-8601 UTC with a `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock:
    """A settable clock: mutations stamp `updated_at` with it, so tests control time."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def advance(self, seconds: float = 1.0) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now


class Ids:
    """Ids and times for new records: uuid4s drawn from the seeded `rng`, stamps from `clock`."""

    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> str:
        """A fresh `updated_at`: the clock moves one millisecond so every change is visible."""
        return iso(self.clock.advance(0.001)) or ""


def set_fields(record: Json, fields: dict[str, Any], kind: str) -> None:
    """Set `fields` on `record`; a field the API's record does not have is refused."""
    unknown = set(fields) - set(record)
    if unknown:
        raise ValueError(f"unknown {kind} fields: {sorted(unknown)}")
    record.update(fields)
