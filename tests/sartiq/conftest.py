"""Fixtures for Sartiq tests: a seeded simulator on loopback and a fresh warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl.simulators.sartiq import SartiqSimulator
from etl.warehouse import duckdb_file as wh


@pytest.fixture
def sim() -> Iterator[SartiqSimulator]:
    simulator = SartiqSimulator(seed=11, products_per_org=30)
    with simulator.serve():
        yield simulator


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = wh.connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _no_sartiq_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests choose their credentials; a developer's real ones must never leak in.
    for name in ("SARTIQ_TOKEN", "SARTIQ_USERNAME", "SARTIQ_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
