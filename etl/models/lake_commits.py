"""On a lake, the views made in one commit, the tables stored in one, one commit at a time."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

import duckdb

from etl.models.graph import Task
from etl.models.layers import built_first
from etl.models.runner import ModelRuns, copy_built
from etl.warehouse.transaction import transaction

log = logging.getLogger(__name__)

STORE_ALL = "store all"
VIEWS = "views"


def store_in_one_commit(model_runs: ModelRuns, tasks: list[Task]) -> list[Task]:
    """`tasks` with its `store x` tasks replaced by one storing every built table at once.

    It runs once every table model has run, and stores those that built. Should that one
    transaction fail (a full disk, a conflicting writer), it is rolled back and each table is
    stored on its own, as the `store x` tasks do: one that cannot be stored fails its model
    alone. Tasks are left as they are when a task waits for a store (a view reading a stored
    table), which would then wait for all of them.
    """
    stores = {t.name: t for t in tasks if t.name.startswith("store ")}
    if not stores or any(need in stores for task in tasks for need in task.needs):
        return tasks
    by_relation = {model.relation: model for model in model_runs.models}
    relations = [name.removeprefix("store ") for name in stores]

    def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
        built = [relation for relation in relations if relation not in failed]
        try:
            with transaction(con):
                for relation in built:
                    copy_built(
                        con,
                        by_relation[relation],
                        model_runs.docs.get(relation),
                        model_runs.database,
                        model_runs.kinds,
                    )
        except duckdb.Error as exc:
            log.warning("storing the built tables at once failed, one by one now: %s", exc)
            # A list, not a generator: every store runs, whichever fail.
            return all([stores[f"store {relation}"].run(con, []) for relation in built])
        return True

    kept = [task for task in tasks if task.name not in stores]
    return [*kept, Task(STORE_ALL, run, tuple(relations))]


def views_in_one_commit(model_runs: ModelRuns, tasks: list[Task]) -> list[Task]:
    """`tasks` with one first task making, in one transaction, every view reading no model.

    Each such view's own task then reports what it did. Should a view fail, that transaction
    is rolled back and each view is made in its own, as without it: one that fails fails alone.
    """
    views = {m.relation for m in model_runs.models if m.materialized == "view"}
    alone = [t for t in tasks if t.name in views and not t.needs]
    if len(alone) < 2:
        return tasks
    runs = {task.name: task.run for task in alone}

    def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
        model_runs.in_transaction = True
        try:
            with transaction(con):
                for view_run in runs.values():
                    view_run(con, [])
        except duckdb.Error as exc:
            log.warning("making the views at once failed, one by one now: %s", exc)
            model_runs.in_transaction = False
            for view_run in runs.values():
                view_run(con, [])
        finally:
            model_runs.in_transaction = False
        return True

    def reporter(relation: str) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def report(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            return model_runs.results[relation].ok

        return report

    out = [Task(VIEWS, run)]
    for task in tasks:
        if task.name in runs:
            task = Task(task.name, reporter(task.name), (VIEWS,), task.weight)
        elif VIEWS not in task.needs:
            # `in_transaction` is read by every model task: none runs on another worker while
            # the views are made.
            task = dataclasses.replace(task, needs=(*task.needs, VIEWS))
        out.append(task)
    return out


def one_commit_at_a_time(model_runs: ModelRuns, tasks: list[Task]) -> list[Task]:
    """`tasks` with those that write to the lake holding one lock between them.

    The build's workers then compute models and run data tests side by side (reads, and
    tables built in memory), while the lake sees one writer, as with one worker: two commits
    of one process creating objects in the same schemas at once are what DuckLake may refuse.
    """
    writers = {m.relation for m in model_runs.models if not m.in_memory and not built_first(m)}
    lock = threading.Lock()

    def locked(
        run: Callable[[duckdb.DuckDBPyConnection, list[str]], bool],
    ) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run_locked(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            with lock:
                return run(con, failed)

        return run_locked

    out = []
    for task in tasks:
        if (
            task.name in writers
            or task.name in (VIEWS, STORE_ALL)
            or task.name.startswith("store ")
        ):
            task = dataclasses.replace(task, run=locked(task.run))
        out.append(task)
    return out


def fewer_commits(model_runs: ModelRuns, tasks: list[Task]) -> list[Task]:
    """The model tasks of a lake build, making its views at once and storing its tables at once,
    its commits one at a time."""
    grouped = store_in_one_commit(model_runs, views_in_one_commit(model_runs, tasks))
    return one_commit_at_a_time(model_runs, grouped)
