"""The warehouse a config points at: where it is, opening it, and holding its run lock.

This is where a second kind of warehouse plugs in: `open_warehouse` picks the implementation
of `etl.warehouse.protocol.Warehouse` the config names, and `locked` the lock that kind uses.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from etl.config import Config
from etl.lock import HeldLock, warehouse_lock
from etl.warehouse.duckdb_file import DuckDBWarehouse
from etl.warehouse.protocol import Warehouse


def warehouse_path(config: Config) -> Path:
    return config.resolve(config.warehouse.path)


def open_warehouse(config: Config) -> AbstractContextManager[Warehouse]:
    """The configured warehouse, open for writing until the block ends."""
    return DuckDBWarehouse.open(warehouse_path(config))


@contextmanager
def locked(
    config: Config, command: str, *, wait: float = 0.0, wait_for: Collection[str] | None = None
) -> Iterator[HeldLock]:
    """Hold the configured warehouse's run lock: taken once, by the command being run
    (waiting up to `wait` seconds while a holder in `wait_for` has it, see `warehouse_lock`)."""
    with warehouse_lock(warehouse_path(config), command, wait=wait, wait_for=wait_for) as held:
        yield held
