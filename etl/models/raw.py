"""Makes sure every registered source's raw tables exist, so staging views always compile."""

from __future__ import annotations

import duckdb

from etl.sources.registry import SOURCES
from etl.warehouse.duckdb_file import ensure_raw_tables, raw_columns


def ensure_all_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    existing = raw_columns(con)
    for source in SOURCES.values():
        ensure_raw_tables(con, source, existing)
