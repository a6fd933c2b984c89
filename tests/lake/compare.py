"""Table-by-table comparison of two attached warehouses, times of the run itself left out."""

from __future__ import annotations

import duckdb

# When the sync or build ran (not what it landed): compared as set / not set only.
RUN_TIMES = {
    "_synced_at",
    "_deleted_at",
    "started_at",
    "ended_at",
    "last_success_at",
    "last_full_at",
    "quarantined_at",
    "seen_at",
    "read_at",
    "built_at",
    "pass",
    "ran_at",
    "synced_at",
}
RUN_IDS = {"_run_id", "run_id"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relations(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by 1",
        [database, schema],
    ).fetchall()
    return [r[0] for r in rows]


def columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index",
        [database, schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def _select(database: str, schema: str, table: str, names: list[str]) -> str:
    cells = [
        f"{quote(n)} is null as {quote(n)}" if n in RUN_TIMES else quote(n)
        for n in names
        if n not in RUN_IDS
    ]
    return f"select {', '.join(cells)} from {database}.{schema}.{quote(table)}"


def compare(
    con: duckdb.DuckDBPyConnection, left: str, right: str, schema: str
) -> dict[str, tuple[int, int, int, int]]:
    """Per relation of `schema` in either database: (rows left, rows right, rows only left,
    rows only right), the last two as multisets (`except all`). Equal means (n, n, 0, 0)."""
    found: dict[str, tuple[int, int, int, int]] = {}
    for table in sorted(set(relations(con, left, schema)) | set(relations(con, right, schema))):
        names = columns(con, left, schema, table)
        if names != columns(con, right, schema, table):
            found[table] = (-1, -1, -1, -1)
            continue
        a, b = _select(left, schema, table, names), _select(right, schema, table, names)

        def count(sql: str) -> int:
            row = con.execute(f"select count(*) from ({sql})").fetchone()
            return int(row[0]) if row else 0

        found[table] = (
            count(a),
            count(b),
            count(f"{a} except all {b}"),
            count(f"{b} except all {a}"),
        )
    return found


def unequal(result: dict[str, tuple[int, int, int, int]]) -> dict[str, tuple[int, int, int, int]]:
    return {t: v for t, v in result.items() if not (v[0] == v[1] and v[2] == v[3] == 0)}
