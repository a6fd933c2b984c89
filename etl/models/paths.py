"""Where the SQL project and the shipped seed files live, and where a config points instead."""

from __future__ import annotations

from pathlib import Path

from etl.config import Config
from etl.resources import SHIPPED_STATUS_MAP
from etl.warehouse_kind import file_settings

DEFAULT_GUIDELINES = Path("data/guidelines.toml")


def analytics_path(config: Config) -> Path:
    """The published analytics file (file warehouses; a lake publishes a snapshot)."""
    return config.resolve(file_settings(config, "the analytics file").analytics_path)


def status_map_path(config: Config) -> Path:
    """A `data/status_map.csv` beside the config overrides the shipped one (users edit it)."""
    local = config.resolve(Path("data/status_map.csv"))
    return local if local.exists() else SHIPPED_STATUS_MAP
