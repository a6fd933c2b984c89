"""Where the files a running `shotlist` reads live: bundled in the package, else the checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# A wheel carries `sql/`, `reports/` and the `data/` seeds under `etl/_bundled/` (copied there at
# build time by `build_hooks.py`); a checkout or an editable install reads the top-level
# folders, which stay the only copy in git.
_PACKAGE = Path(str(files("etl")))
_BUNDLED = _PACKAGE / "_bundled"
ROOT = _BUNDLED if _BUNDLED.is_dir() else _PACKAGE.parent

SQL_DIR = ROOT / "sql"
REPORT_TEMPLATES = ROOT / "reports"
SHIPPED_STATUS_MAP = ROOT / "data" / "status_map.csv"
EXAMPLE_GUIDELINES = ROOT / "data" / "guidelines.toml"
ALERT_SEVERITIES = ROOT / "data" / "alert_severities.csv"
SEVERITY_ORDER = ROOT / "data" / "severities.csv"
ALERT_TYPES = ROOT / "data" / "alert_types.csv"
