"""Loads the inputs models read besides raw tables: status map, scope and build settings."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import duckdb

from etl.config import Config
from etl.models.errors import SeedError

STATUS_MAP_COLUMNS = (
    "source",
    "status_code",
    "status_label",
    "status_group",
    "counts_as",
    "alert_type",
)
# What a status counts as in coverage; `excluded` statuses are not deliverables at all.
COUNTS_AS = ("excluded", "captured", "in_progress", "validated")


StatusRow = tuple[str, str, str, str, str, str | None]


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, stripped values of `columns`) of a seed CSV that has all the columns."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc.strerror}") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise SeedError(f"{path}: missing column(s) {', '.join(missing)}")
    return [
        (number, {c: (row.get(c) or "").strip() for c in columns})
        for number, row in enumerate(reader, start=2)
    ]


def read_status_map(path: Path) -> list[StatusRow]:
    """Rows of the status map CSV; a bad row is an error naming its line and column."""
    rows: list[StatusRow] = []
    seen: set[tuple[str, str]] = set()
    for number, values in _csv_rows(path, STATUS_MAP_COLUMNS):
        for column in ("source", "status_code", "status_group", "counts_as"):
            if not values[column]:
                raise SeedError(f"{path}:{number}: {column} is empty")
        if values["counts_as"] not in COUNTS_AS:
            raise SeedError(
                f"{path}:{number}: counts_as must be one of {', '.join(COUNTS_AS)} "
                f"(got {values['counts_as']!r})"
            )
        key = (values["source"], values["status_code"])
        if key in seen:
            raise SeedError(f"{path}:{number}: status {key[1]} of {key[0]} is listed twice")
        seen.add(key)
        rows.append(
            (
                values["source"],
                values["status_code"],
                values["status_label"] or values["status_code"],
                values["status_group"],
                values["counts_as"],
                values["alert_type"] or None,
            )
        )
    return rows


def load_status_map(con: duckdb.DuckDBPyConnection, rows: list[StatusRow]) -> None:
    con.execute(
        """create or replace table seeds.status_map (
            source varchar, status_code varchar, status_label varchar,
            status_group varchar, counts_as varchar, alert_type varchar
        )"""
    )
    if rows:
        con.executemany("insert into seeds.status_map values (?, ?, ?, ?, ?, ?)", rows)


def load_scope(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """One row per configured filter value; no rows means every product is in scope."""
    con.execute("create or replace table seeds.scope_filters (kind varchar, value varchar)")
    rows = [
        (kind, value)
        for kind, values in (
            ("shotlist", config.scope.shotlists),
            ("collection", config.scope.collections),
            ("brand", config.scope.brands),
        )
        for value in values
    ]
    if rows:
        con.executemany("insert into seeds.scope_filters values (?, ?)", rows)


def load_settings(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    run_id: str,
    build_date: date,
    built_at: datetime,
) -> None:
    con.execute(
        """create or replace table seeds.build_settings (
            run_id varchar, build_date date, built_at timestamp, guideline_source varchar
        )"""
    )
    con.execute(
        "insert into seeds.build_settings values (?, ?, ?, ?)",
        [run_id, build_date, built_at, config.guidelines.source],
    )


# Alert types and how grave they are (marts.guideline_alerts), and the order severities sort in.
ALERT_SEVERITIES = ("alert_type", "severity")
SEVERITIES = ("severity", "severity_rank")

SeedRows = list[tuple[str, ...]]
Severities = tuple[SeedRows, list[tuple[str, int]]]


def read_key_csv(path: Path, columns: tuple[str, ...]) -> SeedRows:
    """Rows of a small seed CSV keyed by its first column: every value filled in, keys unique."""
    rows: SeedRows = []
    seen: set[str] = set()
    for number, row in _csv_rows(path, columns):
        values = tuple(row[c] for c in columns)
        for column, value in zip(columns, values, strict=True):
            if not value:
                raise SeedError(f"{path}:{number}: {column} is empty")
        if values[0] in seen:
            raise SeedError(f"{path}:{number}: {columns[0]} {values[0]} is listed twice")
        seen.add(values[0])
        rows.append(values)
    return rows


def read_severities(alert_path: Path, order_path: Path) -> Severities:
    """The alert types' severities and the severities' sort order (a rank must be a number)."""
    ranks: list[tuple[str, int]] = []
    for number, (severity, rank) in enumerate(read_key_csv(order_path, SEVERITIES), start=2):
        if not rank.isdigit():
            raise SeedError(f"{order_path}:{number}: severity_rank must be a number (got {rank!r})")
        ranks.append((severity, int(rank)))
    return read_key_csv(alert_path, ALERT_SEVERITIES), ranks


def load_alert_severities(con: duckdb.DuckDBPyConnection, seeds: Severities) -> None:
    """`seeds.alert_severities` (alert_type -> severity) and `seeds.severities` (sort order)."""
    alert_severities, ranks = seeds
    con.execute(
        "create or replace table seeds.alert_severities (alert_type varchar, severity varchar)"
    )
    if alert_severities:
        con.executemany("insert into seeds.alert_severities values (?, ?)", alert_severities)
    con.execute("create or replace table seeds.severities (severity varchar, severity_rank int)")
    if ranks:
        con.executemany("insert into seeds.severities values (?, ?)", ranks)


# What each alert type is called in the report and what one alert of it says (placeholders
# {expected}, {actual} and {message} are filled from the alert's own values).
ALERT_TYPES = ("alert_type", "alert_label", "alert_meaning", "detail_template")


def read_alert_types(path: Path) -> SeedRows:
    """Rows of `data/alert_types.csv`: every column filled in, each alert type once."""
    return read_key_csv(path, ALERT_TYPES)


def load_alert_types(con: duckdb.DuckDBPyConnection, rows: SeedRows) -> None:
    """`seeds.alert_types`: alert_type -> alert_label, alert_meaning, detail_template."""
    con.execute(
        """create or replace table seeds.alert_types (
            alert_type varchar, alert_label varchar, alert_meaning varchar,
            detail_template varchar
        )"""
    )
    if rows:
        con.executemany("insert into seeds.alert_types values (?, ?, ?, ?)", rows)


def load_deadlines(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """`seeds.deadlines`: one row per collection of `[report.deadlines]` (none: no rows)."""
    con.execute("create or replace table seeds.deadlines (collection varchar, deadline date)")
    rows = sorted(config.report.deadlines.items())
    if rows:
        con.executemany("insert into seeds.deadlines values (?, ?)", rows)
