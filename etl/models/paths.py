"""Where the SQL project and the shipped seed files live, and where a config points instead."""

from __future__ import annotations

from pathlib import Path

from etl.config import Config

# The repository root: `sql/` and `data/` sit beside the `etl` package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
SHIPPED_STATUS_MAP = PROJECT_ROOT / "data" / "status_map.csv"
ALERT_SEVERITIES = PROJECT_ROOT / "data" / "alert_severities.csv"
SEVERITY_ORDER = PROJECT_ROOT / "data" / "severities.csv"
DEFAULT_GUIDELINES = Path("data/guidelines.toml")


def warehouse_path(config: Config) -> Path:
    return config.resolve(config.warehouse.path)


def analytics_path(config: Config) -> Path:
    return config.resolve(config.warehouse.analytics_path)


def status_map_path(config: Config) -> Path:
    """A `data/status_map.csv` beside the config overrides the shipped one (users edit it)."""
    local = config.resolve(Path("data/status_map.csv"))
    return local if local.exists() else SHIPPED_STATUS_MAP
