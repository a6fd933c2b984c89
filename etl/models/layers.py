"""The build's in-memory catalogs: intermediate models, and table models before they are stored.

`intermediate` is a catalog of its own (`intermediate.x`): nothing reads it after the build.
Every other table model (the marts) is built into the `built` catalog first (`built.marts.x`),
then stored into the warehouse and copied into the analytics file, both from memory and at
once on two connections; models and data tests read the built copy. A connection's search
path makes `marts.x` name `built.marts.x`, and the warehouse's `marts.x` when nothing of that
name was built (an incremental or view model), so the SQL is the same whatever the warehouse.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from etl.models.discovery import IN_MEMORY_LAYERS, Model
from etl.models.graph import Task
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


def release_tasks(models: list[Model], tasks: list[Task]) -> list[Task]:
    """A task per in-memory table dropping it once every task reading it has finished.

    An intermediate model is read by models and data tests only; a built mart also by its
    store into the warehouse and its copy into the analytics file. Dropped as soon as the
    last of them ends, the build holds only the tables still to be read, not all of them to
    the end (600 MB less at the peak for 100,000 references).
    """
    readers: dict[str, list[str]] = {}
    for task in tasks:
        for need in task.needs:
            readers.setdefault(need, []).append(task.name)
    releases = []
    for model in models:
        if model.in_memory and model.materialized == "table":
            table = f"{model.schema}.{quote(model.name)}"
        elif built_first(model):
            table = f"{BUILT}.{model.schema}.{quote(model.name)}"
        else:
            continue
        releases.append(
            Task(
                f"release {model.relation}",
                _dropper(table),
                (model.relation, *readers.get(model.relation, ())),
                weight=0.0,
                prompt=True,
            )
        )
    return releases


def _dropper(table: str) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
    def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
        # A model that failed left no table; its readers were skipped or read nothing.
        con.execute(f"drop table if exists {table}")
        return True

    return run
