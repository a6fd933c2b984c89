"""Fixtures: a hand-made analytics database and a config pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import Config, parse_config

from .catalog import build_catalog


@pytest.fixture
def analytics(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.duckdb"
    build_catalog(path)
    return path


@pytest.fixture
def config(tmp_path: Path, analytics: Path) -> Config:
    return parse_config(
        {
            "warehouse": {
                "path": str(tmp_path / "warehouse.duckdb"),
                "analytics_path": str(analytics),
            },
            "report": {
                "out_dir": str(tmp_path / "out"),
                "stale_after_hours": 24,
                "profiles": {
                    "zed": {
                        "title": "Zed weekly",
                        "where": {"brand": "Zed"},
                        "recipients": ["zed-team@example.com"],
                    },
                    "acme-ss25": {"where": {"brand": ["Acme"]}, "collections": ["SS25"]},
                },
            },
        },
        tmp_path / "shotlist.toml",
    )
