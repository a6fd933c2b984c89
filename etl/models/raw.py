"""Makes sure every registered source's raw tables exist, so staging views always compile."""

from __future__ import annotations

import duckdb

from etl.engine.declarations import Source
from etl.engine.records import record_columns
from etl.sources.registry import SOURCES

META_COLUMNS = (
    ("_raw", "JSON"),
    ("_synced_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_deleted_at", "TIMESTAMP"),
)


def _fallback_ensure(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """The raw-table contract, for when the engine's own helper is not importable."""
    con.execute("create schema if not exists raw")
    for resource in source.resources:
        fields = [(n, t) for n, t in record_columns(resource.model) if n != source.scope_column]
        columns = [(source.scope_column, source.scope_type), *fields, *META_COLUMNS]
        ddl = ", ".join(f'"{n}" {t}' for n, t in columns)
        con.execute(f'create table if not exists raw."{resource.table(source.name)}" ({ddl})')


def ensure_all_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    try:
        from etl.engine.warehouse import ensure_raw_tables
    except ImportError:  # pragma: no cover - the engine's landing module is optional here
        ensure_raw_tables = _fallback_ensure
    for source in SOURCES.values():
        ensure_raw_tables(con, source)
