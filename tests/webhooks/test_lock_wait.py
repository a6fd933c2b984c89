"""The bounded wait for `listen`'s drainer: `shotlist sync` retries the lock for it only."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from etl.errors import WarehouseLockedError
from etl.lock import backoff, read_lock, warehouse_lock
from etl.webhooks.drain import DRAINER


def test_backoff_doubles_to_half_a_second_and_adds_up_to_the_wait() -> None:
    assert list(backoff(2.0)) == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5, 0.25]
    assert list(backoff(0.0)) == []


def test_lock_wait_takes_the_lock_once_the_drainer_lets_go(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pauses: list[float] = []
    with ExitStack() as drainer:
        drainer.enter_context(warehouse_lock(warehouse, DRAINER))

        def sleep(seconds: float) -> None:
            # The drainer's batch ends while the sync waits its second pause.
            pauses.append(seconds)
            if len(pauses) == 2:
                drainer.close()

        with warehouse_lock(warehouse, "sync", wait=10, wait_for=(DRAINER,), sleep=sleep) as held:
            holder = read_lock(warehouse)
            assert holder is not None and (holder.command, holder.pid) == ("sync", held.holder.pid)
    assert pauses == [0.05, 0.1]
    assert read_lock(warehouse) is None


def test_lock_wait_gives_up_after_the_bound(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pauses: list[float] = []
    refused = pytest.raises(WarehouseLockedError, match=r"`shotlist listen` .* after waiting 1s")
    sync = warehouse_lock(warehouse, "sync", wait=1, wait_for=(DRAINER,), sleep=pauses.append)
    with warehouse_lock(warehouse, DRAINER), refused, sync:
        pass
    assert pauses == [0.05, 0.1, 0.2, 0.4, 0.25]


def test_lock_wait_is_not_for_a_sync_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pauses: list[float] = []
    sync = warehouse_lock(warehouse, "sync", wait=10, wait_for=(DRAINER,), sleep=pauses.append)
    with warehouse_lock(warehouse, "sync"), pytest.raises(WarehouseLockedError) as refused, sync:
        pass
    assert pauses == []
    assert "`shotlist sync`" in str(refused.value)
    assert "waiting" not in str(refused.value)
