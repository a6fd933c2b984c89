"""Fixtures for webhook tests: a simulator on loopback, a config, a warehouse synced once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.config import Config
from etl.simulators.grandshooting import Catalog, CatalogSpec, generate_catalog
from etl.sync import sync_sources
from etl.workspace import locked
from tests.sync.conftest import simulator  # noqa: F401  the same simulator fixture
from tests.sync.helpers import TOKEN
from tests.webhooks.helpers import GS_TOKEN_ENV, config_of, write_config


@pytest.fixture
def catalog() -> Catalog:
    return generate_catalog(CatalogSpec(references=30, seed=11))


@pytest.fixture
def config_path(tmp_path: Path, simulator: Any, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.setenv(GS_TOKEN_ENV, TOKEN)
    return write_config(tmp_path, simulator.base_url)


@pytest.fixture
def config(config_path: Path) -> Config:
    return config_of(config_path)


@pytest.fixture
def synced(config: Config) -> Config:
    """The warehouse after one full sync: what the hooks then keep up to date."""
    with locked(config, "sync"):
        result = sync_sources(config, ["grandshooting"], full_refresh=True)
    assert result.ok, [(r.resource, r.error) for r in result.results]
    return config
