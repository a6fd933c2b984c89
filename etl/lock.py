"""The warehouse run lock: one writing shotlist process per warehouse, stale locks taken over."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from etl.errors import WarehouseLockedError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a lock, as written in the lock file."""

    pid: int | None
    command: str
    started_at: str
    host: str

    def describe(self) -> str:
        who = f"pid {self.pid}" if self.pid is not None else "unknown process"
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        return f"`shotlist {self.command}` ({who}{where}, started {self.started_at})"


def lock_path(warehouse_path: Path) -> Path:
    """The lock file sits next to the warehouse: `data/warehouse.duckdb.lock`."""
    return warehouse_path.with_name(warehouse_path.name + ".lock")


def _read_holder(handle: IO[str]) -> LockHolder | None:
    handle.seek(0)
    text = handle.read().strip()
    if not text:
        return None
    try:
        data = json.loads(text)
        return LockHolder(
            pid=int(data["pid"]) if data.get("pid") is not None else None,
            command=str(data.get("command", "?")),
            started_at=str(data.get("started_at", "?")),
            host=str(data.get("host", "")),
        )
    except (ValueError, TypeError, KeyError):
        return LockHolder(pid=None, command="?", started_at="?", host="")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_lock(warehouse_path: Path) -> LockHolder | None:
    """The current holder of the warehouse lock, or None when nobody holds it."""
    path = lock_path(warehouse_path)
    if not path.exists():
        return None
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(handle)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


@dataclass(frozen=True)
class HeldLock:
    """The lock as held by this process; `taken_over` is the dead holder it replaced, if any."""

    holder: LockHolder
    path: Path
    taken_over: LockHolder | None = None


def backoff(wait: float, first: float = 0.05, longest: float = 0.5) -> Iterator[float]:
    """Pauses between tries, doubling from `first` up to `longest`, adding up to `wait`."""
    left, delay = wait, first
    while left > 0:
        pause = round(min(delay, longest, left), 3)  # whole milliseconds: no float residue
        if pause <= 0:
            return
        yield pause
        left -= pause
        delay *= 2


@dataclass
class _Attempt:
    """How taking the flock went: taken, or the holder that kept it; seconds spent waiting."""

    taken: bool = False
    holder: LockHolder | None = None
    waited: float = 0.0


def _take(
    handle: IO[str],
    wait: float,
    wait_for: Collection[str] | None,
    sleep: Callable[[float], None],
) -> _Attempt:
    """Take the flock, retrying for up to `wait` seconds while its holder is one we wait for."""
    attempt = _Attempt()
    pauses = backoff(wait)
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            attempt.taken = True
            return attempt
        except BlockingIOError:
            attempt.holder = _read_holder(handle)
            holder = attempt.holder
            # No holder written yet: it has just taken the lock, and says who in a moment.
            patient = wait_for is None or holder is None or holder.command in wait_for
            pause = next(pauses, None) if patient else None
            if pause is None:
                return attempt
            sleep(pause)
            attempt.waited += pause


@contextmanager
def warehouse_lock(
    warehouse_path: Path | str,
    command: str,
    *,
    wait: float = 0.0,
    wait_for: Collection[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[HeldLock]:
    """Hold the warehouse's run lock for the duration of the block.

    Raises `WarehouseLockedError` when another process holds it: at once by default, or after
    trying again for up to `wait` seconds (pauses from 50 ms doubling to 0.5 s) while the
    holder's command is one of `wait_for` (None: any). `shotlist sync` waits this way for
    `listen`'s drainer, whose batches hold the lock for a moment only. The lock
    is an flock on `<warehouse>.lock`, so the kernel releases it when its holder dies, even by
    SIGKILL; the holder's details left in the file are then reported as taken over.

    Entry points (a CLI command, `shotlist run`, the demo) take it once; the library functions
    they call assume it is held. A second take in the same process is refused like any other,
    since flock treats each open of the file on its own.
    """
    path = lock_path(Path(warehouse_path)).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a+" creates the file without truncating what a running holder wrote.
    handle = path.open("a+", encoding="utf-8")
    try:
        attempt = _take(handle, wait, wait_for, sleep)
    except OSError as exc:
        handle.close()
        raise WarehouseLockedError(f"{path}: cannot lock: {exc.strerror}") from None
    if not attempt.taken:
        handle.close()
        who = attempt.holder.describe() if attempt.holder else "another shotlist process"
        waited = f" after waiting {attempt.waited:g}s" if attempt.waited else ""
        raise WarehouseLockedError(
            f"{warehouse_path}: {who} is writing this warehouse; "
            f"not starting `shotlist {command}`{waited} (try again when it has finished)"
        ) from None

    previous = _read_holder(handle)
    if previous is not None:
        # A clean release empties the file: content here means the holder died holding it.
        state = "no longer running" if previous.pid and not _pid_alive(previous.pid) else "gone"
        log.warning("taking over the lock left by %s: process %s", previous.describe(), state)
    me = _me(command)
    handle.seek(0)
    handle.truncate()
    handle.write(
        json.dumps(
            {"pid": me.pid, "command": me.command, "started_at": me.started_at, "host": me.host}
        )
    )
    handle.flush()
    try:
        yield HeldLock(me, path, previous)
    finally:
        handle.seek(0)
        handle.truncate()
        handle.flush()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _me(command: str) -> LockHolder:
    started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    return LockHolder(os.getpid(), command, started, socket.gethostname())


__all__ = ["HeldLock", "LockHolder", "backoff", "lock_path", "read_lock", "warehouse_lock"]
