"""DuckLake commit conflicts: told apart from other errors, and the operation run again."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

log = logging.getLogger(__name__)

R = TypeVar("R")

CONFLICT = "Failed to commit DuckLake transaction"
# Two writers that both delete from a shared meta table conflict (DuckLake checks deletes per
# table); under load a batch can lose several rounds before it commits.
ATTEMPTS = 30


def is_conflict(error: BaseException) -> bool:
    return isinstance(error, duckdb.Error) and CONFLICT in str(error)


def retry_conflicts(action: Callable[[], R], what: str = "commit") -> R:
    """Run `action`, again after a commit conflict (jittered backoff, bounded attempts)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return action()
        except duckdb.Error as exc:
            if not is_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("%s: commit conflict with another writer, retry %d", what, attempt)
            time.sleep(random.uniform(0.01, min(0.05 * 2**attempt, 2.0)))
    raise AssertionError("unreachable")
