"""The warehouse run lock: refused with the holder named, released, taken over after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.errors import WarehouseLockedError
from etl.lock import lock_path, read_lock, warehouse_lock

HOLDER = """
import sys
from etl.lock import warehouse_lock
with warehouse_lock(sys.argv[1], "sync"):
    print("ready", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "data" / "warehouse.duckdb"


@pytest.fixture
def holder(warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock until its stdin closes (it says `ready` once held)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_lock_refuses_second_process_naming_the_holder(
    warehouse: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(WarehouseLockedError) as excinfo, warehouse_lock(warehouse, "run"):
        pass
    message = str(excinfo.value)
    assert f"pid {holder.pid}" in message
    assert "`shotlist sync`" in message
    assert "started 20" in message
    assert "\n" not in message
    found = read_lock(warehouse)
    assert found is not None and found.pid == holder.pid and found.command == "sync"


def test_lock_released_when_holder_finishes(warehouse: Path, holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait() == 0
    assert read_lock(warehouse) is None
    with warehouse_lock(warehouse, "run") as held:
        assert held.taken_over is None
        assert held.holder.pid == os.getpid()


def test_lock_left_by_killed_process_is_taken_over(
    warehouse: Path, holder: subprocess.Popen[str]
) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(warehouse).read_text(encoding="utf-8")  # the dead holder's details remain
    with warehouse_lock(warehouse, "run") as held:
        assert held.taken_over is not None
        assert held.taken_over.pid == holder.pid
        assert held.taken_over.command == "sync"
        found = read_lock(warehouse)
        assert found is not None and found.pid == os.getpid() and found.command == "run"
    assert lock_path(warehouse).read_text(encoding="utf-8") == ""


def test_lock_is_taken_once_a_second_take_in_the_same_process_is_refused(
    warehouse: Path,
) -> None:
    # Entry points take the lock once; a nested take is a bug, refused with the holder named.
    with warehouse_lock(warehouse, "run") as outer:
        assert outer.holder.pid == os.getpid()
        with pytest.raises(WarehouseLockedError) as excinfo, warehouse_lock(warehouse, "sync"):
            pass
        assert f"pid {os.getpid()}" in str(excinfo.value)
        assert "`shotlist run`" in str(excinfo.value)
        found = read_lock(warehouse)
        assert found is not None and found.command == "run"
    assert read_lock(warehouse) is None
    with warehouse_lock(warehouse, "build") as again:
        assert again.taken_over is None
