"""Stored marts keep the string compression DuckDB chose for each column at the previous build.

Writing a table to a DuckDB file, DuckDB tries every compression method on every string
segment and keeps the smallest: for the big marts (400,000-500,000 rows, ten to forty text
columns) trying dictionary and FSST is about a fifth of the write, and the build writes each
mart twice (the warehouse, the analytics file). The method that won a column last time is
nearly always the one that wins again (a column of product keys stays FSST, a column of
statuses stays a dictionary), so the table is created with that method named per column
(`using compression`) and DuckDB tries that one only (and no compression, its fallback). The
rows are the same; only how their bytes are packed can differ from what a fresh choice would
make (a segment the other method would have made a little smaller). A new column, a new
table, or a table on a lake is left to DuckDB's own choice.

A method can stop fitting its column: a catalog that starts small repeats its product keys and
names enough for dictionaries to win, and at 100,000 products FSST wins. Kept for ever, such a
choice left `marts.report_alerts`' product keys, names and pictures in dictionaries after an
account grew from 1,000 to 100,000 references: an analytics file of 89 MB against 61, and
builds no quicker for it. So a table is packed afresh, DuckDB choosing every column again
(`repack_due`), when its row count has doubled or halved since the stored copy, and otherwise
once every `REPACK_EVERY` builds, the tables taking turns. What it can still miss: data that
drifts without growing keeps the old method for up to `REPACK_EVERY` builds (a larger file,
never other rows).
"""

from __future__ import annotations

import duckdb

from etl.models.sqltext import quote

# Layout of a column: its compression, as `pragma_storage_info` names it and as
# `using compression` is spelled. Only these need DuckDB to try methods against each other.
_FORCED = {"Dictionary": "dictionary", "FSST": "fsst"}

Layout = dict[str, str]

# A table whose row count changed by this factor either way since its stored copy is packed
# afresh: the catalog it describes changed size, and with it which method packs it best.
REPACK_GROWTH = 2
# Builds between two fresh packings of a table that did not change size. A fresh packing costs
# that table's writes about a fifth more, so with the tables taking turns a build pays about
# 1/REPACK_EVERY of that.
REPACK_EVERY = 8


def read_layout(con: duckdb.DuckDBPyConnection, table: str) -> Layout:
    """Column -> the compression most of its string segments use in `table` ({} if none)."""
    try:
        rows = con.execute(
            "select column_name, mode(compression) from pragma_storage_info(?) "
            "where segment_type = 'VARCHAR' group by all",
            [table],
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {column: _FORCED[method] for column, method in rows if method in _FORCED}


def stored_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of the stored `table` (0 when there is none)."""
    try:
        row = con.execute(f"select count(*) from {table}").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def repack_due(stored: int, rows: int, build_number: int, turn: int) -> bool:
    """Whether a table of `rows` rows, whose stored copy had `stored`, is packed afresh.

    `build_number` counts the builds before this one; `turn` is the table's place among the
    packed tables, so that they do not all take their fresh packing in the same build.
    """
    if min(stored, rows) * REPACK_GROWTH <= max(stored, rows):
        return True
    return (build_number + turn) % REPACK_EVERY == 0


def create_table_as(
    con: duckdb.DuckDBPyConnection,
    target: str,
    source: str,
    layout: Layout | None,
    *,
    replace: bool,
) -> None:
    """`create [or replace] table target as select * from source`, packed as `layout` says."""
    verb = "create or replace table" if replace else "create table"
    if not layout:
        con.execute(f"{verb} {target} as select * from {source}")
        return
    columns = []
    for name, kind, *_ in con.execute(f"describe select * from {source}").fetchall():
        column = f"{quote(name)} {kind}"
        if kind == "VARCHAR" and name in layout:
            column += f" using compression {layout[name]}"
        columns.append(column)
    con.execute(f"{verb} {target} ({', '.join(columns)})")
    con.execute(f"insert into {target} select * from {source}")
