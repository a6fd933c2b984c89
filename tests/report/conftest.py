"""Fixtures: a hand-made analytics database and a config pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import Config

from .catalog import build_catalog, catalog_config


@pytest.fixture
def analytics(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.duckdb"
    build_catalog(path)
    return path


@pytest.fixture
def config(tmp_path: Path, analytics: Path) -> Config:
    return catalog_config(tmp_path, analytics)
