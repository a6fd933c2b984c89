"""The build's in-memory catalogs: intermediate models, and table models before they are stored.

`intermediate` is a catalog of its own (`intermediate.x`): nothing reads it after the build.
Every other table model (the marts) is built into the `built` catalog first (`built.marts.x`),
then stored into the warehouse and copied into the analytics file, both from memory and at
once on two connections; models and data tests read the built copy. A connection's search
path makes `marts.x` name `built.marts.x`, and the warehouse's `marts.x` when nothing of that
name was built (an incremental or view model), so the SQL is the same whatever the warehouse.
"""

from __future__ import annotations

import duckdb

from etl.models.discovery import IN_MEMORY_LAYERS, Model
from etl.models.sqltext import quote, sql_literal

BUILT = "built"


def built_first(model: Model) -> bool:
    """Whether the model is built in memory and then stored (a table outside `intermediate`)."""
    return not model.in_memory and model.materialized == "table"


def attach_in_memory_layers(con: duckdb.DuckDBPyConnection, models: list[Model]) -> None:
    """Attach an empty in-memory catalog per in-memory layer, and `built` with its schemas.

    A warehouse built by an older version holds an in-memory layer as a schema, which would
    make the name ambiguous: its tables and views are dropped first (nothing reads them).
    """
    for layer in IN_MEMORY_LAYERS:
        leftovers = con.execute(
            "select 'table', table_name from duckdb_tables() where database_name = "
            "current_database() and schema_name = ? union all select 'view', view_name "
            "from duckdb_views() where database_name = current_database() and schema_name = ?",
            [layer, layer],
        ).fetchall()
        for kind, name in leftovers:
            con.execute(f"drop {kind} {layer}.{quote(name)}")
        exists = con.execute(
            "select count(*) from duckdb_schemas() where database_name = current_database() "
            "and schema_name = ?",
            [layer],
        ).fetchone()
        if exists and exists[0]:
            con.execute(f"drop schema {layer}")
        con.execute(f"attach ':memory:' as {layer}")
    con.execute(f"attach ':memory:' as {BUILT}")
    for schema in built_schemas(models):
        con.execute(f"create schema {BUILT}.{schema}")


def built_schemas(models: list[Model]) -> list[str]:
    return sorted({model.schema for model in models if built_first(model)})


def read_built_first(con: duckdb.DuckDBPyConnection, database: str, schemas: list[str]) -> None:
    """Make `schema.x` name the built copy when there is one, else the warehouse's `x`."""
    db = quote(database)
    paths = [f"{db}.main", *(f"{BUILT}.{s},{db}.{s}" for s in schemas)]
    con.execute(f"set search_path = {sql_literal(','.join(paths))}")
