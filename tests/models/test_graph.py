"""The task graph: prompt tasks first, and in-memory tables dropped after their last reader."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import duckdb

from etl.models.discovery import Model
from etl.models.graph import Task, run_graph
from etl.models.layers import release_tasks


def _recorder(
    order: list[str], name: str
) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
    def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
        order.append(name)
        return True

    return run


def test_a_prompt_task_starts_before_more_urgent_ready_tasks() -> None:
    order: list[str] = []
    tasks = [
        Task("x", _recorder(order, "x")),
        Task("heavy", _recorder(order, "heavy"), ("x",), weight=10.0),
        Task("free", _recorder(order, "free"), ("x",), weight=0.0, prompt=True),
    ]
    run_graph(duckdb.connect(), tasks)
    assert order == ["x", "free", "heavy"]


def _model(schema: str, name: str, materialized: str, reads: frozenset[str] = frozenset()) -> Model:
    return Model(schema, name, Path(f"{name}.sql"), "select 1", materialized, reads)


def test_in_memory_tables_are_released_after_every_task_reading_them() -> None:
    models = [
        _model("intermediate", "picks", "table"),
        _model("staging", "raw_view", "view"),
        _model("marts", "wide", "table", frozenset({"intermediate.picks"})),
    ]
    tasks = [
        Task("intermediate.picks", _recorder([], "")),
        Task("marts.wide", _recorder([], ""), ("intermediate.picks",)),
        Task("store marts.wide", _recorder([], ""), ("marts.wide",)),
        Task("publish marts.wide", _recorder([], ""), ("marts.wide",)),
        Task("test 0 unique", _recorder([], ""), ("intermediate.picks", "marts.wide")),
    ]
    releases = {t.name: t for t in release_tasks(models, tasks)}
    assert set(releases) == {"release intermediate.picks", "release marts.wide"}
    assert set(releases["release intermediate.picks"].needs) == {
        "intermediate.picks",
        "marts.wide",
        "test 0 unique",
    }
    assert set(releases["release marts.wide"].needs) == {
        "marts.wide",
        "store marts.wide",
        "publish marts.wide",
        "test 0 unique",
    }
    assert all(t.prompt for t in releases.values())


def test_a_task_running_alone_gets_every_thread_then_gives_them_back() -> None:
    threads: dict[str, int] = {}
    # `b` and `c` wait for each other: both run at once, so neither runs alone.
    together = threading.Barrier(2, timeout=60)

    def record(name: str, meet: bool) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            row = con.execute("select current_setting('threads')").fetchone()
            threads[name] = int(row[0]) if row else 0
            if meet:
                together.wait()
            return True

        return run

    con = duckdb.connect()
    con.execute("set threads = 1")
    tasks = [
        Task("a", record("a", False)),
        Task("b", record("b", True), ("a",)),
        Task("c", record("c", True), ("a",)),
        Task("d", record("d", False), ("b", "c")),
    ]
    run_graph(con, tasks, workers=2, alone=(1, 2))
    assert threads == {"a": 2, "b": 1, "c": 1, "d": 2}
    row = con.execute("select current_setting('threads')").fetchone()
    assert row is not None and int(row[0]) == 1
