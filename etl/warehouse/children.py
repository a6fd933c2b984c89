"""DuckDB SQL of resources read from other resources: parent rows, nested arrays, child reads.

`meta.child_reads` remembers, per parent, the parent's version when its children were last
read; deletion marking covers children that vanished under a re-read parent, and children
whose parent is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import arro3.core as a3
import duckdb

from etl.warehouse.tables import RawTable, quote
from etl.warehouse.transaction import transaction

CHILD_READS_DDL = """create table if not exists meta.child_reads (
    source varchar, scope varchar, resource varchar, parent_key varchar, version varchar,
    read_at timestamp
)"""


def has_rows(con: duckdb.DuckDBPyConnection, table: RawTable, scope: Any) -> bool:
    row = con.execute(
        f"select count(*) from {table.name} where {quote(table.scope_column)} = ?", [scope]
    ).fetchone()
    return bool(row and row[0])


def parent_rows(
    con: duckdb.DuckDBPyConnection, parent: RawTable, scope: Any, columns: Sequence[str]
) -> list[dict[str, Any]]:
    """The distinct values of `columns` over a scope's live parent rows."""
    select = ", ".join(quote(c) for c in columns)
    rows = con.execute(
        f"select distinct {select} from {parent.name} "
        f"where {quote(parent.scope_column)} = ? and _deleted_at is null",
        [scope],
    ).fetchall()
    return [dict(zip(columns, row, strict=True)) for row in rows]


def parent_records(
    con: duckdb.DuckDBPyConnection,
    parent: RawTable,
    scope: Any,
    key: str,
    run_id: str | None,
    offset: int,
    limit: int,
) -> list[str]:
    """One chunk of live parents' `_raw` JSON in key order (only run `run_id`'s, if given)."""
    where = f"{quote(parent.scope_column)} = ? and _deleted_at is null"
    params: list[Any] = [scope]
    if run_id is not None:
        where += " and _run_id = ?"
        params.append(run_id)
    rows = con.execute(
        f"select _raw from {parent.name} where {where} order by {quote(key)} limit ? offset ?",
        [*params, limit, offset],
    ).fetchall()
    return [row[0] for row in rows]


def parent_versions(
    con: duckdb.DuckDBPyConnection,
    parent: RawTable,
    scope: Any,
    key: str,
    columns: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Per live parent key (as text), the values of `columns`."""
    select = ", ".join(quote(c) for c in (key, *columns))
    rows = con.execute(
        f"select {select} from {parent.name} "
        f"where {quote(parent.scope_column)} = ? and _deleted_at is null",
        [scope],
    ).fetchall()
    return {str(row[0]): dict(zip(columns, row[1:], strict=True)) for row in rows}


def changed_keys(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: Any,
    link: str,
    cursor: str,
    since: datetime,
) -> set[str]:
    """The distinct non-null `link` values (text) of live rows whose `cursor` >= `since`."""
    rows = con.execute(
        f"select distinct {quote(link)}::varchar from {table.name} "
        f"where {quote(table.scope_column)} = ? and _deleted_at is null "
        f"and {quote(link)} is not null and {quote(cursor)} >= ?",
        [scope, since],
    ).fetchall()
    return {row[0] for row in rows}


def members_differ(
    con: duckdb.DuckDBPyConnection,
    touching: RawTable,
    child: RawTable,
    scope: Any,
    link: str,
    cursor: str,
    since: datetime,
    members: str,
    fields: Sequence[str],
    child_link: str,
) -> set[str]:
    """Parents (`link` values, as text) that a live `touching` row moved since `since` lists
    other children for, in its JSON array `members`, than the parent's live rows in `child`
    (the objects' keys and the child's columns `fields`, compared as text)."""
    listed = ", ".join(f"coalesce(json_extract_string(m, '$.{name}'), '')" for name in fields)
    held = ", ".join(f"coalesce({quote(name)}::varchar, '')" for name in fields)
    rows = con.execute(
        f"""with moved as (
            select distinct {quote(link)}::varchar as parent_key,
                coalesce(array_to_string(list_sort(list_distinct(list_transform(
                    coalesce(json_extract({quote(members)}, '$[*]'), []::json[]),
                    lambda m: concat_ws(chr(31), {listed})
                ))), chr(30)), '') as children
            from {touching.name}
            where {quote(touching.scope_column)} = ? and _deleted_at is null
                and {quote(link)} is not null and {quote(cursor)} >= ?
        ),
        landed as (
            select {quote(child_link)}::varchar as parent_key,
                array_to_string(list_sort(list_distinct(list(concat_ws(chr(31), {held})))),
                    chr(30)) as children
            from {child.name}
            where {quote(child.scope_column)} = ? and _deleted_at is null
            group by 1
        )
        select distinct moved.parent_key from moved left join landed using (parent_key)
        where moved.children is distinct from coalesce(landed.children, '')""",
        [scope, since, scope],
    ).fetchall()
    return {row[0] for row in rows}


def child_reads(
    con: duckdb.DuckDBPyConnection, source: str, scope: str, resource: str
) -> dict[str, str]:
    """Per parent key, the parent version its children were last read at."""
    con.execute(CHILD_READS_DDL)
    rows = con.execute(
        "select parent_key, version from meta.child_reads "
        "where source = ? and scope = ? and resource = ?",
        [source, scope, resource],
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def record_child_reads(
    con: duckdb.DuckDBPyConnection,
    source: str,
    scope: str,
    resource: str,
    versions: Mapping[str, str],
) -> None:
    """Remember the parent versions whose children were just read, in one transaction."""
    con.execute(CHILD_READS_DDL)
    if not versions:
        return
    with transaction(con):
        write_child_reads(con, source, scope, resource, versions)


def write_child_reads(
    con: duckdb.DuckDBPyConnection,
    source: str,
    scope: str,
    resource: str,
    versions: Mapping[str, str],
    *,
    delete: bool = True,
    read_at: datetime | None = None,
) -> None:
    """The statements of `record_child_reads` (the caller holds the transaction).

    `delete=False` leaves out the delete of the parents' stored rows, for a caller that knows
    there are none; `read_at` is the time stored (default: the transaction's `now()`).
    """
    if not versions:
        return
    # One delete and one insert for all the versions (not a statement per parent): DuckLake
    # makes a snapshot per statement, and writes a Parquet file for any MERGE or UPDATE
    # (a small delete and insert stay inlined in its catalog; see `etl.warehouse.keyed`).
    text = a3.DataType.string()
    frame = a3.Table.from_arrays(
        [a3.Array(list(versions), type=text), a3.Array(list(versions.values()), type=text)],
        names=["parent_key", "version"],
    )
    try:
        if delete:
            con.register("_child_reads", frame)
            con.execute(
                """delete from meta.child_reads t using _child_reads s
                   where t.source = ? and t.scope = ? and t.resource = ?
                     and t.parent_key = s.parent_key""",
                [source, scope, resource],
            )
        # Registered again: DuckDB takes an arro3 table's stream once per registration.
        con.register("_child_reads", frame)
        read = "now()" if read_at is None else "?"
        params = [source, scope, resource] + ([] if read_at is None else [read_at])
        con.execute(
            f"""insert into meta.child_reads
                select ?, ?, ?, parent_key, version, {read} from _child_reads""",
            params,
        )
    finally:
        con.unregister("_child_reads")


def mark_vanished(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    scope: Any,
    link: str,
    parent: RawTable,
    parent_key: str,
    pass_started: datetime,
    *,
    refreshed_keys: Sequence[str] | None = None,
    refreshed_run: str | None = None,
) -> int:
    """Mark children not seen under a refreshed parent, and children of parents that are gone.

    Refreshed parents are given by key, or as those landed by run `refreshed_run`.
    """
    scope_col = quote(table.scope_column)
    parent_scope = quote(parent.scope_column)
    link_col = f"cast({quote(link)} as varchar)"
    key_col = f"cast({quote(parent_key)} as varchar)"
    if refreshed_run is not None:
        refreshed = (
            f"{link_col} in (select {key_col} from {parent.name} "
            f"where {parent_scope} = ? and _run_id = ?)"
        )
        refreshed_params: list[Any] = [scope, refreshed_run]
    else:
        refreshed = f"list_contains(?::varchar[], {link_col})"
        refreshed_params = [list(refreshed_keys or [])]
    result = con.execute(
        f"""update {table.name} set _deleted_at = now()
            where {scope_col} = ? and _deleted_at is null and (
                ({refreshed} and _synced_at < ?)
                or {link_col} not in (
                    select {key_col} from {parent.name}
                    where {parent_scope} = ? and _deleted_at is null
                )
            )""",
        [scope, *refreshed_params, pass_started, scope],
    ).fetchone()
    return int(result[0]) if result else 0
