"""The warehouse a config points at: where it is and how an entry point holds its run lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.config import Config
from etl.lock import HeldLock, warehouse_lock


def warehouse_path(config: Config) -> Path:
    return config.resolve(config.warehouse.path)


@contextmanager
def locked(config: Config, command: str) -> Iterator[HeldLock]:
    """Hold the configured warehouse's run lock: taken once, by the command being run."""
    with warehouse_lock(warehouse_path(config), command) as held:
        yield held
