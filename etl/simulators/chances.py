"""Drawing one of several outcomes, each with its own chance, from one roll of a seeded rng."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

Outcome = TypeVar("Outcome")


def first_drawn(rng: random.Random, chances: Sequence[tuple[Outcome, float]]) -> Outcome | None:
    """The outcome a single roll falls on, the chances laid end to end; None past them all
    (chances summing under 1 leave room for nothing happening)."""
    roll = rng.random()
    for outcome, chance in chances:
        if roll < chance:
            return outcome
        roll -= chance
    return None
