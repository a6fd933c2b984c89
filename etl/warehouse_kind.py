"""Which warehouse a config names (a DuckDB file or a lake) and its settings, loading neither.

Kept apart from `etl.workspace`, which opens warehouses and so loads the lake and every source
(polars, pyarrow: about 100 MiB): the report only needs to know where to read.
"""

from __future__ import annotations

from pathlib import Path

from etl.config import Config, WarehouseConfig
from etl.errors import ShotlistError
from etl.lake.config import LakeWarehouse


def is_lake(config: Config) -> bool:
    return isinstance(config.warehouse, LakeWarehouse)


def file_settings(config: Config, what: str) -> WarehouseConfig:
    """The file warehouse's settings; a clear error for a command that needs the file."""
    if isinstance(config.warehouse, WarehouseConfig):
        return config.warehouse
    where = config.path or "configuration"
    raise ShotlistError(
        f"{where}: warehouse: {what} needs a DuckDB-file warehouse "
        '(this config has kind = "ducklake")'
    )


def lake_settings(config: Config) -> LakeWarehouse:
    assert isinstance(config.warehouse, LakeWarehouse)
    return config.warehouse


def warehouse_path(config: Config) -> Path:
    """The warehouse file (the file kind only)."""
    return config.resolve(file_settings(config, "this command").path)
