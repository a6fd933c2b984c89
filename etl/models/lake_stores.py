"""On a lake, the built tables stored in one commit: each DuckLake commit is catalog round trips."""

from __future__ import annotations

import logging

import duckdb

from etl.models.graph import Task
from etl.models.runner import ModelRuns, copy_built
from etl.warehouse.transaction import transaction

log = logging.getLogger(__name__)

STORE_ALL = "store all"


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
