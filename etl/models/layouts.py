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

What it can miss: a column keeps its method while its data drifts (texts that stopped
repeating stay in dictionary segments, texts that started repeating stay FSST): a larger file,
never other rows. Dropping the mart from the warehouse makes the next build choose again.
"""

from __future__ import annotations

import duckdb

from etl.models.sqltext import quote

# Layout of a column: its compression, as `pragma_storage_info` names it and as
# `using compression` is spelled. Only these need DuckDB to try methods against each other.
_FORCED = {"Dictionary": "dictionary", "FSST": "fsst"}

Layout = dict[str, str]


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
