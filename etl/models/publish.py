"""Publishes the marts to a separate read-only analytics file, swapped in by an atomic rename.

Analysts open `data/analytics.duckdb` read-only. The build never writes that file in place: it
writes a new file next to it and renames it over the old one, so a reader keeps the complete
previous version it opened (the old inode lives on while open) and never holds a lock the
build or a sync would wait for.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from etl.models.layouts import Layout, create_table_as
from etl.models.sqltext import insert_rows, quote, sql_literal
from etl.warehouse.duckdb_file import META_DDL
from etl.warehouse.transaction import transaction

PUBLISHED_SCHEMAS = ("marts",)
# This build's rows of these warehouse tables are published (`meta.<name>`).
RUN_LOGS = ("model_runs", "test_results")

# The sync log and watermarks, published whole so readers see extraction times without opening
# the warehouse. `pass` (an interrupted pass's resume point) is the engine's business only.
SYNC_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sync_runs": (
        "Every sync run per source, scope and resource, as of the build that published this "
        "file: when it ran, how many pages and rows it fetched, and how it ended (status ok, "
        "warning, skipped, failed, interrupted).",
        (),
    ),
    "sync_state": (
        "Per source, scope and resource: the incremental watermark (the newest modification "
        "time landed), the last successful sync (last_success_at) and the last full refresh "
        "(last_full_at), as of the build that published this file.",
        ("pass",),
    ),
}


class Publication:
    """A new analytics file being filled beside `target`, moved over it only by `swap`.

    Tables can be copied in as soon as they are built, while other models and the data tests
    still run (from several cursors at once: each copy is its own transaction); a build that
    fails `discard`s the file and the published one stays as it was.
    """

    ALIAS = "analytics_out"

    def __init__(self, con: duckdb.DuckDBPyConnection, target: Path) -> None:
        self.target = target
        self.staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        self.copied: set[tuple[str, str]] = set()
        self.tables = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (self.staging, self.staging.with_name(self.staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con.execute(f"attach {sql_literal(str(self.staging))} as {self.ALIAS}")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {self.ALIAS}.{schema}")
        con.execute(f"create schema if not exists {self.ALIAS}.meta")

    def copy(
        self,
        con: duckdb.DuckDBPyConnection,
        schema: str,
        table: str,
        database: str | None = None,
        layout: Layout | None = None,
    ) -> None:
        """Copy one table of `database` (default: the warehouse), with its comments.

        `layout`: the string compression of each column (see `etl.models.layouts`).
        """
        row = con.execute("select current_database()").fetchone()
        database = database or (str(row[0]) if row else "")
        source = f"{quote(database)}.{schema}.{quote(table)}"
        dest = f"{self.ALIAS}.{schema}.{quote(table)}"
        with transaction(con):
            create_table_as(con, dest, source, layout, replace=False)
            for kind, column, text in con.execute(
                "select 'table', null, comment from duckdb_tables() where database_name = ? "
                "and schema_name = ? and table_name = ? and comment is not null union all "
                "select 'column', column_name, comment from duckdb_columns() "
                "where database_name = ? and schema_name = ? and table_name = ? "
                "and comment is not null",
                [database, schema, table, database, schema, table],
            ).fetchall():
                target = dest if kind == "table" else f"{dest}.{quote(column)}"
                con.execute(f"comment on {kind} {target} is {sql_literal(text)}")
        self.copied.add((schema, table))

    def gather(self, con: duckdb.DuckDBPyConnection) -> None:
        """Copy what the warehouse still has to give: tables no model built, the sync log."""
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and schema_name in "
            f"({', '.join(sql_literal(s) for s in PUBLISHED_SCHEMAS)}) "
            "order by schema_name, table_name"
        ).fetchall()
        # Tables no model built this time (left by an older version) are published too.
        for schema, table in tables:
            if (schema, table) not in self.copied:
                self.copy(con, schema, table)
        self.tables = len(tables)
        _publish_sync_tables(con, self.ALIAS)
        # This build's run logs go in by `seal`, shaped as the warehouse's.
        for table in RUN_LOGS:
            con.execute(
                f"create table {self.ALIAS}.meta.{table} as select * from meta.{table} limit 0"
            )

    def seal(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        built_at: datetime,
        logs: dict[str, list[list[object]]],
    ) -> None:
        """Add `meta.build_info` and this build's run logs, and close the file.

        It touches the new file only, so the warehouse can record the same logs meanwhile.
        """
        alias = self.ALIAS
        con.execute(
            f"create table {alias}.meta.build_info as "
            "select ? as run_id, ? as built_at, ? as tables",
            [run_id, built_at, self.tables],
        )
        con.execute(
            f"comment on table {alias}.meta.build_info is "
            "'When this analytics file was published, and by which build run.'"
        )
        # The run logs of this build, so readers can tell how fresh and how tested it is.
        for table in RUN_LOGS:
            insert_rows(con, f"{alias}.meta.{table}", logs.get(table, []))
        con.execute(f"checkpoint {alias}")
        con.execute(f"detach {alias}")

    def swap(self) -> Path:
        """Move the sealed file over the published one."""
        # A WAL left beside the target would be replayed onto the new file: there must be none.
        self.target.with_name(self.target.name + ".wal").unlink(missing_ok=True)
        os.replace(self.staging, self.target)
        return self.target

    def discard(self, con: duckdb.DuckDBPyConnection) -> None:
        """Drop the unfinished file: the published one stays as it was."""
        try:
            con.execute(f"detach database if exists {self.ALIAS}")
        finally:
            for path in (self.staging, self.staging.with_name(self.staging.name + ".wal")):
                path.unlink(missing_ok=True)


def _publish_sync_tables(con: duckdb.DuckDBPyConnection, alias: str) -> None:
    """Copy `meta.sync_runs` and `meta.sync_state` (without internal columns) into `alias`."""
    # A warehouse never synced has no sync tables yet: create them as a sync would, so the
    # published file always carries them (empty), and readers know no sync is recorded.
    for statement in META_DDL:
        con.execute(statement)
    for table, (comment, internal) in SYNC_TABLES.items():
        columns = [
            quote(name)
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where database_name = "
                "current_database() and schema_name = 'meta' and table_name = ? "
                "order by column_index",
                [table],
            ).fetchall()
            if name not in internal
        ]
        con.execute(
            f"create table {alias}.meta.{table} as select {', '.join(columns)} "
            f"from meta.{table} order by all"
        )
        con.execute(f"comment on table {alias}.meta.{table} is {sql_literal(comment)}")
