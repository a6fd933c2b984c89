"""`build`: seeds, models in dependency order, data tests, then publishing the analytics file."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from etl.config import Config
from etl.errors import WarehouseLockedError
from etl.lake.snapshots import publish_snapshot
from etl.models.datatests import (
    DataTest,
    TestResult,
    TestRuns,
    custom_tests,
    generic_test,
    run_tests,
)
from etl.models.discovery import Model, dependency_order, discover
from etl.models.graph import Task, run_graph
from etl.models.guidelines import Guideline, load_guidelines, read_guidelines
from etl.models.lake_commits import fewer_commits
from etl.models.layers import (
    BUILT,
    attach_in_memory_layers,
    built_first,
    built_schemas,
    read_built_first,
    release_tasks,
)
from etl.models.layouts import Layout
from etl.models.paths import analytics_path, status_map_path
from etl.models.publish import PUBLISHED_SCHEMAS, Publication
from etl.models.raw import ensure_all_raw_tables
from etl.models.runner import ModelResult, ModelRuns
from etl.models.schema import load_schema
from etl.models.seeds import (
    SeedRows,
    Severities,
    StatusRow,
    load_alert_severities,
    load_alert_types,
    load_deadlines,
    load_scope,
    load_settings,
    load_status_map,
    read_alert_types,
    read_severities,
    read_status_map,
)
from etl.models.sqltext import insert_rows, sql_literal
from etl.resources import ALERT_SEVERITIES, ALERT_TYPES, SEVERITY_ORDER, SQL_DIR
from etl.warehouse.pandas_lookup import skip_missing_pandas
from etl.warehouse.transaction import transaction
from etl.warehouse_kind import is_lake, warehouse_path
from etl.workspace import connect

log = logging.getLogger(__name__)

# The warehouse's schemas; the intermediate layer is an in-memory catalog (see discovery).
SCHEMAS = ("raw", "seeds", "meta", "staging", "marts")
# Connections a file build runs its tasks on; the benchmark machine has two cores.
MAX_WORKERS = 4
# A file build's WAL threshold: no commit checkpoints during the build (`_defer_checkpoints`).
DEFERRED = "1TB"


@dataclass
class BuildResult:
    """What a build did: per-model results, data test results, and where it published."""

    run_id: str
    models: list[ModelResult] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    # The analytics file, or on a lake the snapshot readers are pointed at.
    published: Path | str | None = None
    seconds: float = 0.0
    # Wall time of each step (seeds; models, tests and copies, which overlap; publish), for
    # benchmarks and logs.
    phases: dict[str, float] = field(default_factory=dict)
    # CPU seconds of the models, the data tests and the copies into the analytics file.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def failed_models(self) -> list[ModelResult]:
        return [m for m in self.models if m.status == "error"]

    @property
    def skipped_models(self) -> list[ModelResult]:
        return [m for m in self.models if m.status == "skipped"]

    @property
    def test_failures(self) -> list[TestResult]:
        """Error-severity tests that failed: these fail the build."""
        return [t for t in self.tests if t.blocking]

    @property
    def test_warnings(self) -> list[TestResult]:
        return [t for t in self.tests if not t.blocking and t.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failed_models and not self.skipped_models and not self.test_failures

    @property
    def error(self) -> str | None:
        """One line naming the first problem of a failed build (None when it succeeded)."""
        if self.ok:
            return None
        if self.failed_models:
            first = self.failed_models[0]
            return f"{len(self.failed_models)} model(s) failed, first: {first.error}"
        if self.test_failures:
            return (
                f"{len(self.test_failures)} error-level data test(s) failed, first: "
                f"{self.test_failures[0].describe()}"
            )
        return f"{len(self.skipped_models)} model(s) not built"

    def summary(self) -> str:
        """One line: models built, tests passed, where the analytics file went."""
        built = sum(1 for m in self.models if m.ok)
        passed = sum(1 for t in self.tests if t.status == "pass")
        where = f", published {self.published}" if self.published else ""
        return (
            f"{built}/{len(self.models)} models built, {passed}/{len(self.tests)} data tests "
            f"passed, {len(self.test_warnings)} warnings{where} ({self.seconds:.1f}s)"
        )

    def summary_lines(self) -> list[str]:
        """A human report: each model, then failing and warning tests."""
        lines = []
        for m in self.models:
            rows = "" if m.rows is None else f" {m.rows} rows"
            lines.append(f"{m.status:<8} {m.model}{rows} ({m.seconds:.2f}s)")
            if m.error:
                lines.append(f"         {m.error}")
        passed = sum(1 for t in self.tests if t.status == "pass")
        lines.append(
            f"data tests: {passed} passed, {len(self.test_failures)} failed, "
            f"{len(self.test_warnings)} warnings, "
            f"{sum(1 for t in self.tests if t.status == 'skipped')} skipped"
        )
        lines += [f"FAIL {t.describe()}" for t in self.test_failures]
        lines += [f"WARN {t.describe()}" for t in self.test_warnings]
        if self.published:
            lines.append(f"published {self.published}")
        return lines


def _project(sql_dir: Path) -> tuple[list[Model], list[DataTest], dict]:
    schema = load_schema(sql_dir / "schema.toml")
    models = dependency_order(discover(sql_dir))
    tests = [generic_test(spec) for spec in schema.tests] + custom_tests(sql_dir / "tests")
    return models, tests, schema.docs


def _open(config: Config) -> duckdb.DuckDBPyConnection:
    # DuckDB's client looks for pandas for every parameter it binds (1,350 parameters of run
    # logs: 0.16 s, 0.02 s without the search).
    skip_missing_pandas()
    if is_lake(config):
        return connect(config)
    path = warehouse_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise WarehouseLockedError(
            f"{path}: cannot open the warehouse for writing: {exc}"
        ) from None


def _publish_lake(con: duckdb.DuckDBPyConnection, run_id: str, started: datetime) -> str:
    """A lake publishes a tagged snapshot readers attach at (there is no analytics file)."""
    tables = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'marts'"
    ).fetchone()
    version = publish_snapshot(con, run_id, started, int(tables[0]) if tables else 0)
    return f"lake snapshot {version}"


def _copy_tasks(
    publication: Publication, models: list[Model], layouts: dict[str, Layout]
) -> list[Task]:
    """Copy each published table into the new analytics file as soon as it is built.

    A built table is copied from memory, at the same time as it is stored into the warehouse.
    """

    def copier(model: Model) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            if not failed:
                database = BUILT if built_first(model) else None
                layout = layouts.get(model.relation)
                publication.copy(con, model.schema, model.name, database, layout)
            return not failed

        return run

    return [
        Task(f"publish {model.relation}", copier(model), (model.relation,))
        for model in models
        if model.schema in PUBLISHED_SCHEMAS and model.materialized != "view"
    ]


def _record(con: duckdb.DuckDBPyConnection, logs: dict[str, list[list[object]]]) -> None:
    """This build's model runs and test results into the warehouse, one commit."""
    # On a lake each commit is a catalog round trip: one for all the rows.
    with transaction(con):
        for table, rows in logs.items():
            insert_rows(con, f"meta.{table}", rows)


def _record_while_sealing(
    con: duckdb.DuckDBPyConnection,
    publication: Publication,
    run_id: str,
    started: datetime,
    logs: dict[str, list[list[object]]],
) -> None:
    """Record the run logs and checkpoint the warehouse while the new file is sealed.

    Both files checkpoint at once, on two connections: each compresses the tables its WAL
    holds (see `_defer_checkpoints`), the warehouse's here, the new file's in `seal`.
    """
    sealer = con.cursor()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            sealed = pool.submit(publication.seal, sealer, run_id, started, logs)
            try:
                _record(con, logs)
                try:
                    con.execute("checkpoint")
                except duckdb.TransactionException:
                    # A transaction of the seal's reached into the warehouse: once it is done.
                    sealed.result()
                    con.execute("checkpoint")
            finally:
                sealed.result()
    finally:
        sealer.close()


def _defer_checkpoints(con: duckdb.DuckDBPyConnection) -> str:
    """Stop commits from checkpointing during the build; returns the setting to restore.

    A table under one row group (122,880 rows; most marts) is written to the WAL, and
    compressed into the file by the next checkpoint, which a commit runs once the WAL passes
    `checkpoint_threshold` (16 MB) and no older transaction is open. During the build the
    other worker nearly always has one, so the warehouse's checkpoint fell on the first
    commits after the graph (`gather`), with the second core idle: 0.6 s at 100,000
    references. Deferred, both files checkpoint once, at the same time (see
    `_record_while_sealing`). The setting is the database's, hence restored.
    """
    row = con.execute("select current_setting('checkpoint_threshold')").fetchone()
    con.execute(f"set checkpoint_threshold = {sql_literal(DEFERRED)}")
    return str(row[0]) if row else "16MB"


def _load_seeds(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    seeds: tuple[list[Guideline], list[StatusRow], Severities, SeedRows],
    run_id: str,
    today: date,
    now: datetime,
    models: list[Model],
) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    attach_in_memory_layers(con, models)
    # One transaction: on a lake each commit is a round of catalog queries, and the seed
    # rows would each be one.
    with transaction(con):
        ensure_all_raw_tables(con)
        guidelines, status_rows, severities, alert_types = seeds
        load_guidelines(con, guidelines)
        load_status_map(con, status_rows)
        load_alert_severities(con, severities)
        load_alert_types(con, alert_types)
        load_scope(con, config)
        load_deadlines(con, config)
        load_settings(con, config, run_id, today, now)


def build(
    config: Config,
    *,
    sql_dir: Path | None = None,
    today: date | None = None,
    as_of: datetime | None = None,
    publish_analytics: bool = True,
    threads: int | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Build every model into the warehouse, run the data tests, publish if all is well.

    Seed problems (malformed guideline file, status map) raise before anything is replaced.
    `as_of` is the moment the models describe (default: now, local time): it dates the coverage
    snapshot and is the `built_at` that overdue alerts compare due dates with, so a demo can
    build simulated days. `today` alone redates the snapshot only. The run's own timestamps
    (`meta.model_runs`, the published `built_at`) stay the real ones. The caller holds the
    warehouse lock (`shotlist build`, `run` and `demo` take it).

    Models, data tests and the copies into the new analytics file run as one graph of tasks on
    `workers` connections (default: one per core, up to MAX_WORKERS), each
    query on its own thread (`threads` = 1 unless given), so the two cores work on two models
    at once instead of sharing small queries. `workers=1` without `threads` is DuckDB's own
    parallelism (one thread per core) and one model at a time.
    """
    started = datetime.now()
    run_id = f"build-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    models, tests, docs = _project(sql_dir or SQL_DIR)
    # Bad seed files stop the build before the warehouse is touched.
    seeds = (
        read_guidelines(config)[1],
        read_status_map(status_map_path(config)),
        read_severities(ALERT_SEVERITIES, SEVERITY_ORDER),
        read_alert_types(ALERT_TYPES),
    )
    result = BuildResult(run_id)
    lake = is_lake(config)
    if workers is None:
        # On a lake too: its commits take turns (`etl.models.lake_commits`).
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
    con = _open(config)
    threshold = None if lake else _defer_checkpoints(con)
    if threads or workers > 1:
        # Several workers: each query runs on its worker's thread, DuckDB adds none.
        con.execute(f"set threads = {int(threads or 1)}")
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.phases[phase] = now - clock
        clock = now

    publication: Publication | None = None
    try:
        moment = as_of or started
        _load_seeds(con, config, seeds, run_id, today or moment.date(), moment, models)
        lap("seeds")
        model_runs = ModelRuns(models, docs, run_id)
        model_runs.prepare(con)
        if not lake:
            model_runs.read_layouts(con)

        def setup(worker: duckdb.DuckDBPyConnection) -> None:
            read_built_first(worker, model_runs.database, built_schemas(models))

        test_runs = TestRuns(tests, run_id)
        test_runs.prepare(con)
        model_tasks = model_runs.tasks()
        if lake:
            # A DuckLake commit costs catalog round trips (~60 ms CPU): one for the views and
            # one for the stores, not one per model.
            model_tasks = fewer_commits(model_runs, model_tasks)
        tasks = model_tasks + test_runs.tasks({m.relation for m in models})
        if publish_analytics and not lake:
            publication = Publication(con, analytics_path(config))
            tasks += _copy_tasks(publication, models, model_runs.layouts)
        tasks += release_tasks(models, tasks)
        # Tests and copies read models only: sorted after them, the order stays a valid one.
        # A task running alone (the Grand Shooting chain at the start) uses every core.
        alone = (1, os.cpu_count() or 1) if workers > 1 and not threads else None
        run_graph(con, tasks, workers, setup, alone)
        cpu = {t.name: t.cpu_seconds for t in tasks}
        result.models = model_runs.ordered(cpu)
        result.tests = test_runs.ordered()
        kinds = {"store": "store ", "tests": "test ", "publish": "publish "}
        result.cpu["models"] = sum(
            v for k, v in cpu.items() if not k.startswith(tuple(kinds.values()))
        )
        for kind, prefix in kinds.items():
            result.cpu[kind] = sum(v for k, v in cpu.items() if k.startswith(prefix))
        logs = {"model_runs": model_runs.log_rows(), "test_results": test_runs.log_rows()}
        lap("models, tests and copies")
        if result.ok and publication is not None:
            publication.gather(con)
            _record_while_sealing(con, publication, run_id, started, logs)
            result.published = publication.swap()
            publication = None
            lap("publish")
        else:
            _record(con, logs)
            if result.ok and publish_analytics:
                result.published = _publish_lake(con, run_id, started)
                lap("publish")
    finally:
        try:
            if threshold is not None:
                # A setting of the database, which another connection of this process shares.
                con.execute(f"set checkpoint_threshold = {sql_literal(threshold)}")
            if publication is not None:
                publication.discard(con)
        finally:
            con.close()
    result.seconds = (datetime.now() - started).total_seconds()
    log.info("build %s: %s", run_id, "ok" if result.ok else "failed")
    return result


def run_data_tests(config: Config, *, sql_dir: Path | None = None) -> list[TestResult]:
    """Run the data tests alone against the models already built (the caller holds the lock)."""
    started = datetime.now()
    run_id = f"test-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    models, tests, _ = _project(sql_dir or SQL_DIR)
    con = _open(config)
    try:
        built = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "union all select schema_name, view_name from duckdb_views()"
            ).fetchall()
        }
        unbuilt = {m.relation for m in models} - built
        return run_tests(con, tests, run_id, unbuilt)
    finally:
        con.close()
