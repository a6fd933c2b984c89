"""Data tests: each is a query returning failing rows; results land in `meta.test_results`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.models.discovery import referenced_relations
from etl.models.errors import ModelDefinitionError
from etl.models.graph import Task
from etl.models.schema import SEVERITIES, TestSpec
from etl.models.sqltext import insert_rows, quote, sql_literal
from etl.warehouse.transaction import transaction

SAMPLE_ROWS = 5

TEST_RESULTS_DDL = """create table if not exists meta.test_results (
    run_id varchar, test varchar, model varchar, column_name varchar, severity varchar,
    status varchar, failures bigint, sample json, error varchar, ran_at timestamp
)"""

_SEVERITY = re.compile(r"^--\s*severity\s*:\s*(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DataTest:
    """A named failing-rows query over one or more models."""

    name: str
    models: tuple[str, ...]
    column: str | None
    severity: str
    sql: str


@dataclass
class TestResult:
    """`pass`, `fail` (rows returned), `error` (the query failed) or `skipped` (model not built)."""

    name: str
    model: str
    column: str | None
    severity: str
    status: str
    failures: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def blocking(self) -> bool:
        """Whether this result fails the build."""
        return self.severity == "error" and self.status in ("fail", "error")

    def describe(self) -> str:
        where = f"{self.model}.{self.column}" if self.column else self.model
        if self.status == "error":
            return f"{self.name} ({where}): could not run: {self.error}"
        rows = "; ".join(json.dumps(r, default=str, ensure_ascii=False) for r in self.sample)
        return f"{self.name} ({where}): {self.failures} failing row(s), first: {rows}"


def _relation_sql(relation: str) -> str:
    schema, name = relation.split(".", 1)
    return f"{schema}.{quote(name)}"


def generic_test(spec: TestSpec) -> DataTest:
    """The failing-rows query of a declared test."""
    table = _relation_sql(spec.relation)
    column = spec.column
    arg = spec.argument
    if spec.kind == "not_null":
        cols = [column] if column else list(arg if isinstance(arg, list) else [arg])
        where = " or ".join(f"{quote(c)} is null" for c in cols)
        sql = f"select * from {table} where {where}"
        label = "_".join(cols)
    elif spec.kind == "unique":
        cols = [column] if column else list(arg)
        keys = ", ".join(quote(c) for c in cols)
        sql = (
            f"select {keys}, count(*) as n_rows from {table} "
            f"where {' and '.join(f'{quote(c)} is not null' for c in cols)} "
            f"group by {keys} having count(*) > 1 order by n_rows desc"
        )
        label = "_".join(cols)
    elif spec.kind == "accepted_values":
        target = column or ""
        values = ", ".join(sql_literal(str(v)) for v in arg)
        sql = (
            f"select {quote(target)}, count(*) as n_rows from {table} "
            f"where {quote(target)} is not null and cast({quote(target)} as varchar) "
            f"not in ({values}) group by all"
        )
        label = target
    elif spec.kind == "relationships":
        target = column or ""
        parent, parent_column = str(arg).rsplit(".", 1)
        on = [f"p.{quote(parent_column)} = c.{quote(target)}"]
        on += [f"p.{quote(m)} = c.{quote(m)}" for m in spec.match]
        sql = (
            f"select c.* from {table} c left join {_relation_sql(parent)} p on "
            f"{' and '.join(on)} where c.{quote(target)} is not null "
            f"and p.{quote(parent_column)} is null"
        )
        label = target
    elif spec.kind == "expression":
        sql = f"select * from {table} where not coalesce(({arg}), false)"
        label = re.sub(r"\W+", "_", str(arg)).strip("_")[:40]
    else:  # pragma: no cover - the schema parser rejects other kinds
        raise ModelDefinitionError(f"unknown test kind {spec.kind}")
    name = f"{spec.kind}_{spec.relation.replace('.', '_')}_{label}"
    models: tuple[str, ...] = (spec.relation,)
    if spec.kind == "relationships":
        models = (spec.relation, str(arg).rsplit(".", 1)[0])
    return DataTest(name, models, column, spec.severity, sql)


def custom_tests(folder: Path) -> list[DataTest]:
    """`sql/tests/<name>.sql`: a query returning failing rows; `-- severity: warn` to not block."""
    tests: list[DataTest] = []
    if not folder.is_dir():
        return tests
    for path in sorted(folder.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        severity = "error"
        for line in sql.splitlines():
            match = _SEVERITY.match(line.strip())
            if match:
                severity = match.group(1).lower()
        if severity not in SEVERITIES:
            raise ModelDefinitionError(f"{path}: severity must be warn or error, got {severity!r}")
        reads = tuple(sorted(r for r in referenced_relations(sql) if not r.startswith("seeds.")))
        tests.append(DataTest(path.stem, reads, None, severity, sql.rstrip().rstrip(";")))
    return tests


def _sample(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, list[dict[str, Any]]]:
    row = con.execute(f"select count(*) from ({sql}) as failing").fetchone()
    count = int(row[0]) if row else 0
    if not count:
        return 0, []
    cursor = con.execute(f"select * from ({sql}) as failing limit {SAMPLE_ROWS}")
    names = [d[0] for d in cursor.description or []]
    return count, [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def run_test(con: duckdb.DuckDBPyConnection, test: DataTest, missing: list[str]) -> TestResult:
    """Run one test; skipped when a model it reads (`missing`) was not built."""
    model = test.models[0] if test.models else ""
    result = TestResult(test.name, model, test.column, test.severity, "pass")
    if missing:
        result.status = "skipped"
        result.error = f"{missing[0]} was not built"
        return result
    try:
        result.failures, result.sample = _sample(con, test.sql)
        if result.failures:
            result.status = "fail"
    except duckdb.Error as exc:
        result.status = "error"
        result.error = " ".join(str(exc).splitlines()[:1])
    return result


class TestRuns:
    """The data test tasks of one build (see `etl.models.graph`) and their results."""

    def __init__(self, tests: list[DataTest], run_id: str) -> None:
        self.tests = tests
        self.run_id = run_id
        self.results: dict[int, TestResult] = {}
        self.ran_at: dict[int, datetime] = {}

    @staticmethod
    def prepare(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("create schema if not exists meta")
        con.execute(TEST_RESULTS_DDL)

    def tasks(self, models: set[str], prefix: str = "test ") -> list[Task]:
        """One task per test, needing the models (of `models`) it reads; tests are cheap."""
        return [
            Task(
                f"{prefix}{index} {test.name}",
                self.runner(index, test),
                tuple(m for m in test.models if m in models),
                weight=0.2,
            )
            for index, test in enumerate(self.tests)
        ]

    def runner(
        self, index: int, test: DataTest
    ) -> Callable[[duckdb.DuckDBPyConnection, list[str]], bool]:
        def run(con: duckdb.DuckDBPyConnection, failed: list[str]) -> bool:
            self.results[index] = run_test(con, test, failed)
            self.ran_at[index] = datetime.now()
            return True

        return run

    def ordered(self) -> list[TestResult]:
        return [self.results[i] for i in range(len(self.tests))]

    def log_rows(self) -> list[list[Any]]:
        """This build's rows of `meta.test_results`, in declaration order."""
        return [
            [
                self.run_id,
                result.name,
                result.model,
                result.column,
                result.severity,
                result.status,
                result.failures,
                json.dumps(result.sample, default=str),
                result.error,
                self.ran_at[i],
            ]
            for i, result in enumerate(self.ordered())
        ]


def run_tests(
    con: duckdb.DuckDBPyConnection,
    tests: list[DataTest],
    run_id: str,
    unavailable: set[str] | None = None,
) -> list[TestResult]:
    """Run each test, record it, and return the results; tests on unbuilt models are skipped."""
    unavailable = unavailable or set()
    runs = TestRuns(tests, run_id)
    runs.prepare(con)
    for index, test in enumerate(tests):
        runs.runner(index, test)(con, [m for m in test.models if m in unavailable])
    # On a lake each commit is a catalog round trip: one for all the tests.
    with transaction(con):
        insert_rows(con, "meta.test_results", runs.log_rows())
    return runs.ordered()
