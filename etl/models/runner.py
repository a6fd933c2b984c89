"""Runs one model: atomic replace, comments, errors; the model tasks and `meta.model_runs`."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from etl.models.discovery import Model
from etl.models.graph import Task
from etl.models.layers import BUILT, built_first
from etl.models.layouts import Layout, create_table_as, read_layout, repack_due, stored_rows
from etl.models.schema import ModelDoc
from etl.models.sqltext import quote, sql_literal
from etl.warehouse.transaction import rollback, transaction

log = logging.getLogger(__name__)

MODEL_RUNS_DDL = """create table if not exists meta.model_runs (
    run_id varchar, model varchar, path varchar, materialized varchar,
    started_at timestamp, ended_at timestamp, rows bigint, status varchar, error varchar
)"""

_LINE = re.compile(r"LINE (\d+):")
_QUOTED = re.compile(r'"([^"]+)"')


@dataclass
class ModelResult:
    """What happened to one model: `success`, `error` or `skipped` (a model it reads failed)."""

    model: str
    path: str
    status: str
    rows: int | None = None
    seconds: float = 0.0
    error: str | None = None
    line: int | None = None
    # CPU seconds spent on the model (see `etl.models.graph.Task.cpu_seconds`): on a shared
    # machine it says more about a model's cost than its wall time.
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "success"


def _error_line(model: Model, message: str, offset: int) -> int:
    """The file line DuckDB points at; else the first line naming the quoted identifier."""
    match = _LINE.search(message)
    if match:
        return max(int(match.group(1)) - offset, 1)
    for name in _QUOTED.findall(message):
        for number, line in enumerate(model.sql.splitlines(), start=1):
            if name.lower() in line.lower():
                return number
    return 1


def _first_line(message: str) -> str:
    return " ".join(message.strip().splitlines()[:1]) or "unknown error"


def _apply_comments(
    con: duckdb.DuckDBPyConnection, target: str, model: Model, doc: ModelDoc | None
) -> None:
    if doc is None:
        return
    kind = "view" if model.materialized == "view" else "table"
    if doc.description:
        con.execute(f"comment on {kind} {target} is {sql_literal(doc.description)}")
    # `describe` looks up this one object; `duckdb_columns()` lists every attached catalog's
    # (on a lake, also its PostgreSQL catalog database: a second per model).
    existing = {row[0] for row in con.execute(f"describe {target}").fetchall()}
    for column, text in doc.columns.items():
        if column in existing and text:
            con.execute(f"comment on column {target}.{quote(column)} is {sql_literal(text)}")


def object_kinds(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(schema, name) -> 'table' or 'view' of the current database, read once per build."""
    rows = con.execute(
        "select schema_name, table_name, 'table' from duckdb_tables() "
        "where database_name = current_database() union all "
        "select schema_name, view_name, 'view' from duckdb_views() "
        "where database_name = current_database()"
    ).fetchall()
    return {(schema, name): kind for schema, name, kind in rows}


def _drop_other_kind(
    con: duckdb.DuckDBPyConnection, target: str, model: Model, kinds: dict[tuple[str, str], str]
) -> None:
    """Drop a table the model now builds as a view, or the other way round.

    `create or replace` cannot change an object's kind, and a warehouse built by an older
    version may hold the model as the other one. `kinds` is `object_kinds` from the build's
    start (listing every attached catalog costs a second on a lake: once, not per model).
    """
    wanted = "view" if model.materialized == "view" else "table"
    found = kinds.get((model.schema, model.name))
    if found and found != wanted:
        con.execute(f"drop {found} {target}")


def warehouse_name(database: str, model: Model) -> str:
    """The model's object in the warehouse (`database`), or in its in-memory layer."""
    if model.in_memory:
        return f"{model.schema}.{quote(model.name)}"
    return f"{quote(database)}.{model.schema}.{quote(model.name)}"


def built_name(model: Model) -> str:
    return f"{BUILT}.{model.schema}.{quote(model.name)}"


def _materialize(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    database: str,
    kinds: dict[tuple[str, str], str],
) -> tuple[str, int | None]:
    """Build the model; returns the object it made and its rows (None for a view)."""
    if built_first(model):
        target = built_name(model)
        con.execute(f"create table {target} as\n{model.body()}")
        row = con.execute(f"select count(*) from {target}").fetchone()
        return target, int(row[0]) if row else 0
    target = warehouse_name(database, model)
    if not model.in_memory:
        _drop_other_kind(con, target, model, kinds)
    if model.materialized == "view":
        con.execute(f"create or replace view {target} as\n{model.body()}")
        return target, None
    if model.materialized == "table":
        con.execute(f"create or replace table {target} as\n{model.body()}")
    else:
        # Incremental: rows of the new batch replace the rows sharing its `delete_by` values.
        con.execute(f"create or replace temp table _incoming as\n{model.body()}")
        con.execute(f"create table if not exists {target} as select * from _incoming where false")
        have = {r[0] for r in con.execute(f"describe {target}").fetchall()}
        for name, kind, *_ in con.execute("describe _incoming").fetchall():
            if name not in have:
                con.execute(f"alter table {target} add column {quote(name)} {kind}")
        key = quote(model.delete_by or "")
        con.execute(f"delete from {target} where {key} in (select {key} from _incoming)")
        con.execute(f"insert into {target} by name select * from _incoming")
        con.execute("drop table _incoming")
    row = con.execute(f"select count(*) from {target}").fetchone()
    return target, int(row[0]) if row else 0


def run_model(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    doc: ModelDoc | None,
    database: str,
    kinds: dict[tuple[str, str], str],
    *,
    own_transaction: bool = True,
) -> ModelResult:
    """Build one model in its own transaction: it is replaced whole or left as it was.

    A table model is built in memory (see `etl.models.layers`); `store_model` then replaces
    the warehouse's copy. With `own_transaction` false it runs in the caller's, and a failure
    raises (the caller rolls back, see `etl.models.lake_commits`).
    """
    started = time.perf_counter()
    if own_transaction:
        con.execute("begin transaction")
    try:
        target, rows = _materialize(con, model, database, kinds)
        _apply_comments(con, target, model, doc)
        if own_transaction:
            con.execute("commit")
    except duckdb.Error as exc:
        if not own_transaction:
            raise
        rollback(con)
        message = str(exc)
        # Statements are sent as one header line followed by the file's text.
        line = _error_line(model, message, offset=1)
        return ModelResult(
            model.relation,
            str(model.path),
            "error",
            seconds=time.perf_counter() - started,
            error=f"{model.path}:{line}: {_first_line(message)}",
            line=line,
        )
    return ModelResult(
        model.relation, str(model.path), "success", rows, time.perf_counter() - started
    )


def store_model(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    doc: ModelDoc | None,
    database: str,
    kinds: dict[tuple[str, str], str],
    layout: Layout | None = None,
) -> None:
    """Replace the warehouse's table with the built one, in one transaction."""
    with transaction(con):
        copy_built(con, model, doc, database, kinds, layout)


def copy_built(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    doc: ModelDoc | None,
    database: str,
    kinds: dict[tuple[str, str], str],
    layout: Layout | None = None,
) -> None:
    """Replace the warehouse's table with the built one, in the caller's transaction.

    `layout`: the string compression of each column (see `etl.models.layouts`).
    """
    target = warehouse_name(database, model)
    _drop_other_kind(con, target, model, kinds)
    create_table_as(con, target, built_name(model), layout, replace=True)
    _apply_comments(con, target, model, doc)


class ModelRuns:
    """The model tasks of one build (see `etl.models.graph`) and what happened to each."""

    def __init__(self, models: list[Model], docs: dict[str, ModelDoc], run_id: str) -> None:
        self.models = models
        self.docs = docs
        self.run_id = run_id
        self.database = ""
        self.kinds: dict[tuple[str, str], str] = {}
        # Built table -> its columns' compression in the warehouse before this build, and the
        # rows of that stored copy (`read_layouts`).
        self.layouts: dict[str, Layout] = {}
        self.stored_counts: dict[str, int] = {}
        self.build_number = 0
        # Set while a lake creates its views in one transaction (see `etl.models.lake_commits`).
        self.in_transaction = False
        self.blocked: dict[str, str] = {}
        self.results: dict[str, ModelResult] = {}
        self.rows: dict[str, list[object]] = {}
        self.position = {model.relation: i for i, model in enumerate(models)}

    def prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """The schemas and `meta.model_runs`, made before any task runs (one writer at a time)."""
        lake_schemas = {model.schema for model in self.models if not model.in_memory}
        for schema in sorted({"meta", *lake_schemas}):
            con.execute(f"create schema if not exists {schema}")
        con.execute(MODEL_RUNS_DDL)
        row = con.execute("select current_database()").fetchone()
        self.database = str(row[0]) if row else ""
        self.kinds = object_kinds(con)

    def read_layouts(self, con: duckdb.DuckDBPyConnection) -> None:
        """Each built table's compression per column, as stored (a DuckDB file warehouse).

        Read before any store replaces them; the store and the copy into the analytics file
        both pack the new rows the same way (see `etl.models.layouts`), unless the table is
        due a fresh packing once built (`_forget_layout_if_due`).
        """
        row = con.execute("select count(distinct run_id) from meta.model_runs").fetchone()
        self.build_number = int(row[0]) if row else 0
        for model in self.models:
            if built_first(model) and model.materialized == "table":
                table = warehouse_name(self.database, model)
                layout = read_layout(con, table)
                if layout:
                    self.layouts[model.relation] = layout
                    self.stored_counts[model.relation] = stored_rows(con, table)

    def _forget_layout_if_due(self, model: Model, rows: int) -> None:
        """Let DuckDB choose the built table's compression again when it is due (see
        `etl.models.layouts.repack_due`): its store and copy then pack it afresh."""
        if model.relation not in self.layouts:
            return
        stored = self.stored_counts.get(model.relation, 0)
        if repack_due(stored, rows, self.build_number, self.position[model.relation]):
            del self.layouts[model.relation]
            log.info("%s packed afresh (%d rows, %d stored)", model.relation, rows, stored)

    def tasks(self) -> list[Task]:
        """A task per model, needing the models it reads, and one storing each built table.

        A view is nearly free; it reads the warehouse's tables, so it waits for them stored.
        """
        built = {model.relation for model in self.models if built_first(model)}
        names = {model.relation for model in self.models}
        tasks = []
        for model in self.models:
            needs = sorted(r for r in model.reads if r in names)
            if model.materialized == "view":
                needs += [f"store {r}" for r in needs if r in built]
            tasks.append(
                Task(
                    model.relation,
                    self._runner(model),
                    tuple(needs),
                    weight=0.1 if model.materialized == "view" else 1.0,
                )
            )
            if model.relation in built:
                tasks.append(
                    Task(f"store {model.relation}", self._storer(model), (model.relation,))
                )
        return tasks

    def _runner(self, model: Model) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            started_at = datetime.now()
            if failed:
                # The first failure upstream, in build order, is the one named.
                first = min(
                    (f.removeprefix("store ") for f in failed), key=self.position.__getitem__
                )
                cause = self.blocked.get(first, first)
                self.blocked[model.relation] = cause
                result = ModelResult(
                    model.relation, str(model.path), "skipped", error=f"not built: {cause} failed"
                )
            else:
                doc = self.docs.get(model.relation)
                result = run_model(
                    con,
                    model,
                    doc,
                    self.database,
                    self.kinds,
                    own_transaction=not self.in_transaction,
                )
            if result.status == "error":
                log.error("%s", result.error)
            elif result.ok and result.rows is not None:
                # Before this model's store and copy start: they need it.
                self._forget_layout_if_due(model, result.rows)
            self.results[model.relation] = result
            self.rows[model.relation] = [
                self.run_id,
                model.relation,
                str(model.path),
                model.materialized,
                started_at,
                datetime.now(),
                result.rows,
                result.status,
                result.error,
            ]
            return result.ok

        return run

    def _storer(self, model: Model) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            if failed:
                return False
            try:
                store_model(
                    con,
                    model,
                    self.docs.get(model.relation),
                    self.database,
                    self.kinds,
                    self.layouts.get(model.relation),
                )
            except duckdb.Error as exc:
                # Built but not stored (a full disk): the model failed, the build with it.
                result = self.results[model.relation]
                result.status = "error"
                result.error = f"{model.path}: not stored: {_first_line(str(exc))}"
                log.error("%s", result.error)
                self.rows[model.relation][-2:] = [result.status, result.error]
                return False
            return True

        return run

    def ordered(self, cpu: dict[str, float]) -> list[ModelResult]:
        """Results in build order, with each model's CPU seconds from `cpu`."""
        out = []
        for model in self.models:
            result = self.results[model.relation]
            if result.status != "skipped":
                # Building it and storing it into the warehouse.
                result.cpu_seconds = cpu.get(model.relation, 0.0) + cpu.get(
                    f"store {model.relation}", 0.0
                )
            out.append(result)
        return out

    def log_rows(self) -> list[list[object]]:
        """This build's rows of `meta.model_runs`, in build order."""
        return [self.rows[m.relation] for m in self.models if m.relation in self.rows]
