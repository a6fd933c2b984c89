"""Runs tasks in dependency order on a few connections of one database, most urgent first."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb

Connection = duckdb.DuckDBPyConnection


@dataclass
class Task:
    """One unit of work: runs once every task it `needs` has finished.

    `run` gets a connection and the needed tasks that did not succeed (in `needs` order; it
    decides what that means, e.g. record itself as skipped) and returns whether it succeeded.
    `weight` is a rough cost, used only to start the longest chains first.
    """

    name: str
    run: Callable[[Connection, list[str]], bool]
    needs: tuple[str, ...] = ()
    weight: float = 1.0
    # CPU seconds of the thread that ran it (with one worker, of the whole process).
    cpu_seconds: float = field(default=0.0, init=False)


def _urgency(tasks: list[Task]) -> dict[str, float]:
    """Each task's weight plus the heaviest chain of tasks waiting on it."""
    readers: dict[str, list[Task]] = {t.name: [] for t in tasks}
    for task in tasks:
        for need in task.needs:
            readers[need].append(task)
    urgency: dict[str, float] = {}
    # `tasks` is in dependency order, so every reader is scored before the task it reads.
    for task in reversed(tasks):
        urgency[task.name] = task.weight + max(
            (urgency[r.name] for r in readers[task.name]), default=0.0
        )
    return urgency


class _Pool:
    """The shared state of the workers: what is ready, what is done, the first crash."""

    def __init__(self, tasks: list[Task]) -> None:
        self.tasks = {t.name: t for t in tasks}
        self.order = {t.name: i for i, t in enumerate(tasks)}
        self.urgency = _urgency(tasks)
        self.waiting = {t.name: {n for n in t.needs} for t in tasks}
        self.readers: dict[str, list[str]] = {t.name: [] for t in tasks}
        for task in tasks:
            for need in task.needs:
                self.readers[need].append(task.name)
        self.ready: list[tuple[float, int, str]] = []
        self.ok: dict[str, bool] = {}
        self.running = 0
        self.crash: BaseException | None = None
        self.lock = threading.Condition()
        for name, needs in self.waiting.items():
            if not needs:
                self._push(name)

    def _push(self, name: str) -> None:
        heapq.heappush(self.ready, (-self.urgency[name], self.order[name], name))

    def take(self) -> Task | None:
        """The most urgent ready task; None when all is done (or a worker crashed)."""
        with self.lock:
            while True:
                if self.crash is not None:
                    return None
                if self.ready:
                    self.running += 1
                    return self.tasks[heapq.heappop(self.ready)[2]]
                if not self.running:
                    self.lock.notify_all()
                    return None
                self.lock.wait()

    def done(self, task: Task, ok: bool) -> None:
        with self.lock:
            self.running -= 1
            self.ok[task.name] = ok
            for reader in self.readers[task.name]:
                self.waiting[reader].discard(task.name)
                if not self.waiting[reader]:
                    self._push(reader)
            self.lock.notify_all()

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            self.running -= 1
            if self.crash is None:
                self.crash = exc
            self.lock.notify_all()

    def failed_needs(self, task: Task) -> list[str]:
        with self.lock:
            return [n for n in task.needs if not self.ok.get(n, False)]


def _work(
    pool: _Pool,
    con: Connection,
    clock: Callable[[], float],
    setup: Callable[[Connection], None] | None = None,
) -> None:
    if setup is not None:
        try:
            setup(con)
        except BaseException as exc:
            with pool.lock:
                pool.crash = pool.crash or exc
                pool.lock.notify_all()
            return
    while (task := pool.take()) is not None:
        try:
            started = clock()
            ok = task.run(con, pool.failed_needs(task))
            task.cpu_seconds = clock() - started
        except BaseException as exc:  # re-raised by run_graph in the calling thread
            pool.failed(exc)
            return
        pool.done(task, ok)


def run_graph(
    con: Connection,
    tasks: Iterable[Task],
    workers: int = 1,
    setup: Callable[[Connection], None] | None = None,
) -> dict[str, bool]:
    """Run every task after the tasks it needs; returns which succeeded.

    `tasks` must be in dependency order. With one worker they run one by one on `con`; with
    more, each worker has its own cursor of `con` (DuckDB runs each query in the thread that
    sent it, so with `threads = 1` the workers are the build's only threads), first given to
    `setup` (settings are per connection). A task that raises stops the others from starting,
    and its exception is raised here once they end.
    """
    tasks = list(tasks)
    pool = _Pool(tasks)
    if workers <= 1:
        _work(pool, con, time.process_time, setup)
    else:
        cursors = [con.cursor() for _ in range(workers)]
        threads = [
            threading.Thread(
                target=_work, args=(pool, cursor, time.thread_time, setup), daemon=True
            )
            for cursor in cursors
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:
            # Ctrl-C: stop the queries under way, let the workers see it and end.
            with pool.lock:
                pool.crash = pool.crash or RuntimeError("interrupted")
            for cursor in cursors:
                cursor.interrupt()
            for thread in threads:
                thread.join()
            raise
        finally:
            for cursor in cursors:
                cursor.close()
    if pool.crash is not None:
        raise pool.crash
    return pool.ok
