"""Fixtures for sync tests: a Grand Shooting simulator on loopback and a fresh warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.simulators.grandshooting import (
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    generate_catalog,
)
from etl.warehouse import duckdb_file as wh
from tests.sync.helpers import TOKEN


@pytest.fixture
def catalog() -> Catalog:
    return generate_catalog(CatalogSpec(references=60, seed=7))


@pytest.fixture
def simulator(catalog: Catalog) -> Iterator[Any]:
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with sim.serve(host="127.0.0.1", port=0) as server:
        sim.base_url = server.base_url
        yield sim


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = wh.connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()
