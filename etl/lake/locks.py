"""Named locks of a lake: advisory locks in the catalog's PostgreSQL, or files beside its file.

A sync holds one lock per source and scope it writes (`sync grandshooting/101`), a build one
lock for the whole lake (`build`), and table creation a short one (`ddl`). PostgreSQL releases
a session's advisory locks when the session ends, also when its process is killed, so a dead
holder never leaves a stale lock. The locks live on a DuckDB connection of their own (the
postgres extension keeps its PostgreSQL session open while that connection lives).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.errors import WarehouseLockedError
from etl.lake.attach import catalog_target, create_secrets, literal
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError
from etl.lake.extensions import extension_connection
from etl.lock import warehouse_lock

LOCK_DB = "shotlist_locks"


def lock_key(lake: LakeWarehouse, name: str) -> tuple[int, int]:
    """Two non-negative int4 keys for `pg_try_advisory_lock(int, int)`, stable across versions."""
    digest = hashlib.blake2b(f"{lake.metadata_schema or ''}/{name}".encode(), digest_size=8)
    raw = digest.digest()
    return (
        int.from_bytes(raw[:4], "big") & 0x7FFFFFFF,
        int.from_bytes(raw[4:], "big") & 0x7FFFFFFF,
    )


def _label(command: str) -> str:
    # PostgreSQL keeps 63 bytes of application_name: short enough to survive whole.
    host = socket.gethostname()[:16]
    return f"shotlist {command} pid {os.getpid()} on {host} {datetime.now(UTC):%H:%M:%S}Z"


class _PostgresLocks:
    """Advisory locks on one PostgreSQL session, reached through DuckDB's postgres extension."""

    def __init__(self, lake: LakeWarehouse, command: str, env: Mapping[str, str]) -> None:
        self.lake = lake
        self.con = extension_connection(["postgres"])
        try:
            create_secrets(self.con, lake.model_copy(update={"data_path": "."}), env)
            conninfo = lake.catalog.partition(":")[2]
            target = f"{conninfo} application_name={literal(_label(command))}"
            self.con.execute(f"attach {literal(target)} as {LOCK_DB} (type postgres)")
        except duckdb.Error as exc:
            self.con.close()
            first = " ".join(str(exc).strip().splitlines()[:1])
            raise LakeError(
                f"warehouse.catalog {lake.catalog!r}: cannot reach it for locks: {first}"
            ) from None

    def _query(self, sql: str) -> list[tuple[object, ...]]:
        return self.con.execute(
            f"select * from postgres_query({literal(LOCK_DB)}, ?)", [sql]
        ).fetchall()

    def try_lock(self, name: str) -> str | None:
        """Take the lock; None when taken, else who holds it."""
        a, b = lock_key(self.lake, name)
        rows = self._query(f"select pg_try_advisory_lock({a}, {b}) as got")
        if rows and rows[0][0]:
            return None
        holder = self._query(
            "select a.application_name, a.backend_start::text from pg_locks l "
            "join pg_stat_activity a using (pid) where l.locktype = 'advisory' "
            f"and l.classid = {a} and l.objid = {b} and l.objsubid = 2 and l.granted"
        )
        if not holder:
            return "another shotlist process (it just released it: try again)"
        application, since = holder[0]
        return f"`{application}` (PostgreSQL session since {since})"

    def close(self) -> None:
        # Ending the session releases every lock it holds.
        self.con.close()


def _refused(lake: LakeWarehouse, name: str, holder: str, command: str) -> WarehouseLockedError:
    return WarehouseLockedError(
        f"lake {lake.catalog!r}: {holder} holds the lock {name!r}; "
        f"not starting `shotlist {command}` (try again when it has finished)"
    )


@contextmanager
def _postgres_locks(
    lake: LakeWarehouse,
    names: Sequence[str],
    command: str,
    env: Mapping[str, str],
    wait: float,
) -> Iterator[list[str]]:
    locks = _PostgresLocks(lake, command, env)
    try:
        for name in names:
            deadline, pause = time.monotonic() + wait, 0.02
            while (holder := locks.try_lock(name)) is not None:
                if time.monotonic() + pause > deadline:
                    raise _refused(lake, name, holder, command)
                # Only short holds are waited for (table creation): poll, backing off.
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 1.0)
        yield list(names)
    finally:
        locks.close()


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


@contextmanager
def _file_locks(
    lake: LakeWarehouse, names: Sequence[str], command: str, base_dir: Path
) -> Iterator[list[str]]:
    """A file catalog (sqlite/duckdb) has no advisory locks: lock files sit beside it."""
    catalog = Path(catalog_target(lake, base_dir).partition(":")[2])
    with ExitStack() as stack:
        for name in names:
            stack.enter_context(
                warehouse_lock(catalog.with_name(f"{catalog.name}.{_file_name(name)}"), command)
            )
        yield list(names)


@contextmanager
def lake_locks(
    lake: LakeWarehouse,
    names: Sequence[str],
    command: str,
    *,
    base_dir: Path,
    env: Mapping[str, str] | None = None,
    wait: float = 0.0,
) -> Iterator[list[str]]:
    """Hold every named lock for the block, or raise `WarehouseLockedError` naming a holder.

    `wait` seconds are spent waiting for a held lock first (PostgreSQL catalogs only).
    """
    if not names:
        yield []
    elif lake.catalog_kind == "postgres":
        environment = os.environ if env is None else env
        with _postgres_locks(lake, names, command, environment, wait) as held:
            yield held
    else:
        with _file_locks(lake, names, command, base_dir) as held:
            yield held


def sync_lock(source: str, scope: str) -> str:
    """The lock a sync of one source's scope holds."""
    return f"sync {source}/{scope}"


BUILD_LOCK = "build"
DDL_LOCK = "ddl"
