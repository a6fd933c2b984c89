"""A warehouse synced for real from the Grand Shooting simulator on loopback, then built."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import Config, parse_config
from etl.models import build
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.sync import sync_sources

TOKEN_ENV = "SHOTLIST_TEST_PUBLISH_GS_TOKEN"
TOKEN = "publish-token-not-secret"


def synced_and_built(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Sync a small simulated account into `folder`'s warehouse, then build and publish."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    simulator = GrandShootingSimulator(
        generate_catalog(CatalogSpec(references=30, seed=5)), token=TOKEN, rate_limit=0
    )
    with simulator.serve(host="127.0.0.1", port=0) as server:
        config = parse_config(
            {
                "warehouse": {
                    "path": str(folder / "warehouse.duckdb"),
                    "analytics_path": str(folder / "analytics.duckdb"),
                },
                "sources": {
                    "grandshooting": {
                        "base_url": server.base_url,
                        "token_env": TOKEN_ENV,
                        "rate_limit": 0,
                    }
                },
                "report": {"out_dir": str(folder / "out")},
            },
            folder / "shotlist.toml",
        )
        synced = sync_sources(config)
    assert synced.ok, [(r.resource, r.status, r.error) for r in synced.results]
    built = build(config)
    assert built.ok, built.summary_lines()
    return config
