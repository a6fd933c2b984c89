"""Fixtures for the simulator tests: a small seeded catalog served on loopback, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from etl.simulators.grandshooting import (
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    RunningServer,
    generate_catalog,
)

TOKEN = "secret-token"
DELEGATED = 101


@pytest.fixture(scope="session")
def shared_catalog() -> Catalog:
    """Read-only catalog shared by tests that never change rows."""
    return generate_catalog(CatalogSpec(references=150, seed=7, accounts=(0, DELEGATED)))


@pytest.fixture(scope="session")
def demo_catalog() -> Catalog:
    """The demo's default size (read-only): more than 10,000 pictures."""
    return generate_catalog(CatalogSpec(references=2000, seed=42))


@pytest.fixture
def catalog() -> Catalog:
    """A fresh catalog for tests that change rows."""
    return generate_catalog(CatalogSpec(references=80, seed=11))


@pytest.fixture
def simulator(shared_catalog: Catalog) -> GrandShootingSimulator:
    return GrandShootingSimulator(shared_catalog, token=TOKEN, rate_limit=0)


@pytest.fixture
def server(simulator: GrandShootingSimulator) -> Iterator[RunningServer]:
    with simulator.serve() as running:
        yield running


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        yield client
