"""The warehouse a config points at: a DuckDB file or a lake; opening it, and its locks.

`open_warehouse` picks the implementation of `etl.warehouse.protocol.Warehouse` the config
names, `connect` a plain connection (builds, reads), `locked` the lock a command holds:
- file: one lock for the whole warehouse (`data/warehouse.duckdb.lock`), held by every writer;
- lake: no lake-wide lock for a sync (it locks each source and scope it writes when it opens
  the warehouse, so syncs of different accounts run at once); every other writing command
  (build, test, run, demo, migrate) holds the lake's `build` lock: one build at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

import duckdb

from etl.config import Config
from etl.lake.attach import connect_lake
from etl.lake.config import LakeWarehouse
from etl.lake.locks import BUILD_LOCK, DDL_LOCK, lake_locks, sync_lock
from etl.lake.warehouse import (
    DuckLakeWarehouse,
    attach_for_writing,
    create_tables,
    tables_ready,
)
from etl.lock import HeldLock, warehouse_lock
from etl.sources.registry import SOURCES
from etl.warehouse.duckdb_file import DuckDBWarehouse
from etl.warehouse.duckdb_file import connect as connect_file
from etl.warehouse.protocol import Warehouse
from etl.warehouse_kind import warehouse_path

# Commands that take no lake-wide lock: a sync locks its sources' scopes instead.
SCOPED_COMMANDS = ("sync",)


def describe(config: Config) -> str:
    """Where the warehouse is, for messages (never a secret: none sits in the config)."""
    if isinstance(config.warehouse, LakeWarehouse):
        return f"lake {config.warehouse.catalog} (data {config.warehouse.data_path})"
    return str(warehouse_path(config))


def open_warehouse(
    config: Config, scopes: Sequence[tuple[str, str]] = ()
) -> AbstractContextManager[Warehouse]:
    """The configured warehouse, open for writing until the block ends.

    `scopes` are the (source, scope) pairs about to be synced: a lake takes their locks first
    (a second sync of the same account exits naming the holder); the file's run lock is the
    caller's.
    """
    if isinstance(config.warehouse, LakeWarehouse):
        return _open_lake(config, config.warehouse, scopes)
    return DuckDBWarehouse.open(warehouse_path(config))


@contextmanager
def _open_lake(
    config: Config, lake: LakeWarehouse, scopes: Sequence[tuple[str, str]]
) -> Iterator[Warehouse]:
    names = [sync_lock(source, scope) for source, scope in scopes]
    base = config.base_dir()
    with (
        lake_locks(lake, names, "sync", base_dir=base),
        DuckLakeWarehouse.open_lake(
            lake, base_dir=base, scopes=scopes, sources=SOURCES.values()
        ) as warehouse,
    ):
        yield warehouse


def connect(config: Config, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection where `raw.*`, `meta.*` and the models' schemas name the warehouse's.

    On a lake, writing, every table a sync creates exists first (created under the `ddl` lock).
    """
    if isinstance(config.warehouse, LakeWarehouse):
        if read_only:
            return connect_lake(config.warehouse, base_dir=config.base_dir(), read_only=True)
        base = config.base_dir()
        # A new lake's catalog is created by the first attach (`attach_for_writing`).
        con = attach_for_writing(config.warehouse, base_dir=base, command="build")
        try:
            if not tables_ready(con, SOURCES.values(), config.warehouse.catalog_schema):
                with lake_locks(config.warehouse, [DDL_LOCK], "build", base_dir=base, wait=300.0):
                    create_tables(con, SOURCES.values())
        except BaseException:
            con.close()
            raise
        return con
    return connect_file(warehouse_path(config), read_only=read_only)


@contextmanager
def locked(
    config: Config, command: str, *, wait: float = 0.0, wait_for: Collection[str] | None = None
) -> Iterator[HeldLock | None]:
    """Hold the lock `command` needs on the configured warehouse (see the module docstring).

    The file: waiting up to `wait` seconds while a holder in `wait_for` has it (see
    `warehouse_lock`). A lake has no webhook drainer to wait for: its locks never wait.
    """
    if isinstance(config.warehouse, LakeWarehouse):
        names = [] if command in SCOPED_COMMANDS else [BUILD_LOCK]
        with lake_locks(config.warehouse, names, command, base_dir=config.base_dir()):
            yield None
        return
    with warehouse_lock(warehouse_path(config), command, wait=wait, wait_for=wait_for) as held:
        yield held
