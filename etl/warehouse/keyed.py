"""Writes of one keyed row of a meta table: a delete and an insert on both kinds, or an update.

DuckLake (0.3, with DuckDB 1.4) writes every UPDATE or MERGE as a new Parquet file and a
delete file, even for one row: a run or checkpoint row updated per batch leaves hundreds of tiny
files that every later read of the table opens (on S3, one request each). A delete and a small
insert stay inlined in the catalog instead. On the file an UPDATE is one statement against
three (read, delete, insert), which counts for the rows the sync rewrites with every batch
(`update_row`). The caller holds the transaction: the read, the delete and the insert are one
change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from etl.warehouse.tables import quote


@dataclass(frozen=True)
class Sql:
    """A SQL expression written into the row as is, e.g. `now()`."""

    text: str


NOW = Sql("now()")


def _where(key: Mapping[str, Any]) -> str:
    return " and ".join(f"{quote(column)} = ?" for column in key)


def stored_row(
    con: duckdb.DuckDBPyConnection, table: str, key: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The row of `key` as a dict of every column, or None."""
    cursor = con.execute(f"select * from {table} where {_where(key)}", list(key.values()))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description or ()], row, strict=True))


def replace_row(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    insert_missing: bool = True,
) -> bool:
    """Set `values` on the row of `key`, its other columns kept (UPDATE or MERGE semantics).

    A missing row is inserted with the key and `values` (other columns null) when
    `insert_missing`, else nothing is written. Returns whether a row was written.
    """
    old = stored_row(con, table, key)
    if old is None and not insert_missing:
        return False
    row = {**(old or {}), **key, **values}
    if old is not None:
        con.execute(f"delete from {table} where {_where(key)}", list(key.values()))
    columns = ", ".join(quote(column) for column in row)
    slots = ", ".join(value.text if isinstance(value, Sql) else "?" for value in row.values())
    params = [value for value in row.values() if not isinstance(value, Sql)]
    con.execute(f"insert into {table} ({columns}) values ({slots})", params)
    return True


def update_row(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
) -> bool:
    """Set `values` on the row of `key` with one UPDATE; returns whether a row was there.

    For the file only: on a lake every UPDATE writes files (see above), use `replace_row`.
    """
    assignments = ", ".join(f"{quote(column)} = ?" for column in values)
    result = con.execute(
        f"update {table} set {assignments} where {_where(key)}",
        [*values.values(), *key.values()],
    ).fetchone()
    return bool(result and result[0])
