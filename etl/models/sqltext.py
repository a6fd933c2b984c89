"""SQL text: quoting names and values, and many rows inserted by one statement."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]]
) -> None:
    """Insert `rows` into `table` with one statement (`executemany` runs one per row)."""
    if not rows:
        return
    marks = "(" + ", ".join("?" for _ in rows[0]) + ")"
    params = [value for row in rows for value in row]
    con.execute(f"insert into {table} values " + ", ".join(marks for _ in rows), params)
