"""Where the report reads: the published analytics file, never the warehouse a sync writes.

The build publishes `marts` into the analytics file by an atomic rename, so the report opens a
complete version read-only and never holds a lock a sync or build would trip on. The build also
publishes the run tables (`meta.sync_runs`, `meta.sync_state`, and its own `meta.model_runs`,
`meta.test_results`), so the report never needs the warehouse. Only a file published by an older
version lacks some of them: those are copied from the warehouse in one short read-only look,
taken only when no shotlist process is writing it (checked with the run lock, without waiting).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.config import Config
from etl.errors import WarehouseLockedError
from etl.lake.attach import lake_connection
from etl.lake.errors import LakeError
from etl.lake.snapshots import attach_published
from etl.lock import warehouse_lock
from etl.report.errors import ReportError
from etl.warehouse_kind import file_settings, is_lake, lake_settings, warehouse_path

log = logging.getLogger(__name__)

RUN_TABLES = ("sync_runs", "model_runs", "test_results")


@dataclass
class ReportSource:
    con: duckdb.DuckDBPyConnection
    analytics: Path
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.con.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? "
        "union select view_name from duckdb_views() where database_name = ? "
        "and schema_name = ? and not internal order by 1",
        [database, schema, database, schema],
    ).fetchall()
    return [r[0] for r in rows]


def open_report_source(config: Config) -> ReportSource:
    """An in-memory connection where `marts.*` and `meta.*` name the published data."""
    if is_lake(config):
        return _lake_source(config)
    analytics = config.resolve(file_settings(config, "the report").analytics_path)
    if not analytics.exists():
        raise ReportError(
            f"{analytics}: no published analytics database yet; run `shotlist build` first"
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(str(analytics))} as analytics (read_only)")
    except duckdb.Error as exc:
        con.close()
        raise ReportError(f"{analytics}: cannot open the analytics database: {exc}") from None
    source = ReportSource(con, analytics)
    _views(con)
    # The published run tables win; the warehouse is read only for a file from before them.
    missing = [t for t in RUN_TABLES if t not in _tables(con, "analytics", "meta")]
    if missing:
        _copy_run_tables(config, source, missing)
    return source


def _views(con: duckdb.DuckDBPyConnection) -> None:
    """`marts.*` and `meta.*` of the in-memory database as views of the attached `analytics`."""
    for schema in ("marts", "meta"):
        con.execute(f"create schema if not exists {schema}")
        for table in _tables(con, "analytics", schema):
            con.execute(
                f"create view {schema}.{_ident(table)} as "
                f"select * from analytics.{schema}.{_ident(table)}"
            )


def _lake_source(config: Config) -> ReportSource:
    """The lake at the snapshot the last build published: one build, whatever commits since."""
    lake = lake_settings(config)
    try:
        con = lake_connection(lake)
    except LakeError as exc:
        raise ReportError(str(exc)) from None
    try:
        version = attach_published(con, lake, "analytics", base_dir=config.base_dir())
        con.execute("use memory")
        _views(con)
    except LakeError as exc:
        con.close()
        raise ReportError(str(exc)) from None
    except BaseException:
        con.close()
        raise
    return ReportSource(con, Path(f"lake snapshot {version}"))


def _copy_run_tables(config: Config, source: ReportSource, tables: list[str]) -> None:
    warehouse = warehouse_path(config)
    if not warehouse.exists():
        return
    con = source.con
    try:
        with warehouse_lock(warehouse, "report"):
            con.execute(f"attach {_literal(str(warehouse))} as warehouse (read_only)")
            try:
                present = set(_tables(con, "warehouse", "meta"))
                for table in tables:
                    if table in present:
                        con.execute(
                            f"create table meta.{_ident(table)} as "
                            f"select * from warehouse.meta.{_ident(table)}"
                        )
            finally:
                con.execute("detach warehouse")
    except WarehouseLockedError as exc:
        log.info("run tables not read: %s", exc)
        source.notes.append(
            "Extraction and build times are not shown: a shotlist process was writing "
            "the warehouse when this report was made."
        )
    except duckdb.Error as exc:
        log.warning("run tables not read from %s: %s", warehouse, exc)
        source.notes.append(f"Extraction and build times are not shown ({warehouse}: busy).")
