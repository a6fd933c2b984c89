"""`shotlist migrate --to <config>`: copy a file warehouse into an empty lake, no re-sync.

Every table of the file is copied (raw rows with their deletion marks, the run log, sync
state and watermarks, and the models' tables, so incremental history such as
`marts.coverage_history` carries over); views are not, the next `shotlist build` makes them.
The copy is one transaction: the lake has all of it or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from etl.config import Config
from etl.errors import ShotlistError
from etl.lake.attach import literal
from etl.lake.meta import VERSIONED
from etl.lake.warehouse import retry_conflicts
from etl.warehouse.duckdb_file import transaction
from etl.warehouse.tables import quote
from etl.warehouse_kind import is_lake, warehouse_path
from etl.workspace import connect, describe

VERSIONED_VIEWS = {table.view: table for table in VERSIONED}


@dataclass
class MigrateResult:
    tables: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.tables)


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute(f"select count(*) from {name}").fetchone()
    return int(row[0]) if row else 0


def check_direction(source: Config, target: Config) -> None:
    """Only a file into a lake (said before any lock is taken)."""
    if is_lake(source) or not is_lake(target):
        raise ShotlistError(
            "migrate copies a DuckDB-file warehouse (this config) into a lake "
            '(the --to config, with [warehouse] kind = "ducklake")'
        )


def migrate(source: Config, target: Config) -> MigrateResult:
    """Copy `source`'s file warehouse into `target`'s lake (which must hold no rows yet)."""
    check_direction(source, target)
    path = warehouse_path(source)
    if not path.exists():
        raise ShotlistError(f"{path}: no warehouse to migrate")
    con = connect(target)
    try:
        con.execute(f"attach {literal(str(path))} as src (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'src' "
            "order by schema_name, table_name"
        ).fetchall()
        existing = {
            (s, t)
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = current_database()"
            ).fetchall()
        }
        full = [f"{s}.{t}" for s, t in existing if _rows(con, f"{s}.{quote(t)}")]
        if full:
            raise ShotlistError(
                f"{describe(target)}: not empty ({', '.join(sorted(full)[:3])} hold rows); "
                "migrate only into a new lake"
            )
        result = MigrateResult()

        def copy() -> None:
            result.tables.clear()
            with transaction(con):
                for schema, table in tables:
                    name = f"{schema}.{quote(table)}"
                    con.execute(f"create schema if not exists {schema}")
                    versioned = VERSIONED_VIEWS.get(f"{schema}.{table}")
                    if versioned is not None:
                        # A view on a lake (`etl.lake.meta`): the rows go in as first versions.
                        con.execute(
                            f"insert into {versioned.versions} by name "
                            f"select *, 0 as version from src.{name}"
                        )
                    elif (schema, table) in existing:
                        con.execute(f"insert into {name} by name select * from src.{name}")
                    else:
                        con.execute(f"create table {name} as select * from src.{name}")
                    result.tables.append((f"{schema}.{table}", _rows(con, f"src.{name}")))

        retry_conflicts(copy, "migrate")
        return result
    finally:
        con.close()
