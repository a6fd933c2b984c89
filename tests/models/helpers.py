"""Helpers for model tests: a config in a temp folder, raw rows inserted by column name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from etl.config import Config, load_config
from etl.models.raw import ensure_all_raw_tables

JSON_COLUMNS = {
    "reference_ids",
    "refs",
    "looks",
    "child_ids",
    "alerts",
    "frame",
    "taginfo",
    "eans",
    "eans_extended",
    "tags",
    "extra",
    "keywords",
    "view_types",
    "location",
    "info",
    "info_model",
    "border_strategy",
}


def make_config(folder: Path, extra: str = "", guidelines: str | None = None) -> Config:
    """A config file in `folder` (warehouse and analytics files beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    if guidelines is not None:
        (folder / "guidelines.toml").write_text(guidelines, encoding="utf-8")
        extra = '[guidelines]\npath = "guidelines.toml"\n' + extra
    text = '[warehouse]\npath = "warehouse.duckdb"\nanalytics_path = "analytics.duckdb"\n' + extra
    (folder / "shotlist.toml").write_text(text, encoding="utf-8")
    return load_config(folder / "shotlist.toml")


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows into `raw.<table>`; `account_id` defaults to 0, JSON values are encoded."""
    for row in rows:
        values = {"account_id": 0, **row}
        names = list(values)
        params = [
            json.dumps(v) if k in JSON_COLUMNS and v is not None else v for k, v in values.items()
        ]
        columns = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" for _ in names)
        con.execute(f'insert into raw."{table}" ({columns}) values ({marks})', params)


def load_raw(config: Config, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Create every raw table (as the engine would) and insert the given rows."""
    path = config.resolve(config.warehouse.path)
    con = duckdb.connect(str(path))
    try:
        ensure_all_raw_tables(con)
        for table, rows in tables.items():
            insert(con, table, rows)
    finally:
        con.close()


def query(config: Config, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a query on the published analytics file (read-only, as an analyst would)."""
    path = config.resolve(config.warehouse.analytics_path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def warehouse_query(config: Config, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(config.resolve(config.warehouse.path)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
