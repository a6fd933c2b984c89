"""Run and checkpoint rows on a lake: insert-only versions, the newest version of a key wins.

DuckLake checks deletes per table: two writers that both delete from one table conflict, and
one of them runs its whole transaction again. On the file every batch rewrites its run and
checkpoint rows (`etl.warehouse.keyed`); on a lake that would make every batch of every source
delete from the same two tables, so concurrent syncs would retry each other's batches. Here a
lake stores them as versions, `meta.sync_runs_versions` and `meta.sync_state_versions` (the
file's columns plus `version`), written by inserts only; `meta.sync_runs` and `meta.sync_state`
are views of the newest version per key, so readers see the file's tables. A sync removes
the versions it superseded once, when it closes.

Only the holder of a scope's sync lock writes that scope's rows, so its versions, counted
from above the newest stored one, order its writes after every earlier holder's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from etl.warehouse.duckdb_file import META_DDL
from etl.warehouse.keyed import Sql
from etl.warehouse.tables import quote

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Versioned:
    """A meta table the file keeps by key, kept on a lake as versions behind a view."""

    name: str
    key: tuple[str, ...]

    @property
    def view(self) -> str:
        return f"meta.{self.name}"

    @property
    def versions(self) -> str:
        return f"meta.{self.name}_versions"


RUNS = Versioned("sync_runs", ("run_id", "source", "scope", "resource"))
STATE = Versioned("sync_state", ("source", "scope", "resource"))
VERSIONED = (RUNS, STATE)

Key = tuple[str, tuple[Any, ...]]
Row = dict[str, Any]


def _versions_ddl(statement: str, table: Versioned) -> str:
    """The file's `create table` of `table`, as its versions table (one more column)."""
    head = f"create table if not exists {table.view} ("
    assert statement.startswith(head), statement
    body = statement[len(head) :].rstrip().removesuffix(")")
    return f"create table if not exists {table.versions} ({body.rstrip()}, version bigint)"


def _view_ddl(table: Versioned) -> str:
    key = ", ".join(quote(column) for column in table.key)
    return (
        f"create view if not exists {table.view} as select * exclude (version) "
        f"from {table.versions} qualify row_number() over "
        f"(partition by {key} order by version desc) = 1"
    )


def _defines(statement: str, table: Versioned) -> bool:
    return statement.startswith(f"create table if not exists {table.view} (")


def lake_meta_ddl() -> list[str]:
    """The file's meta DDL with the versioned tables as versions tables and views."""
    statements = []
    for statement in META_DDL:
        table = next((t for t in VERSIONED if _defines(statement, t)), None)
        statements.append(statement if table is None else _versions_ddl(statement, table))
    return statements + [_view_ddl(table) for table in VERSIONED]


def exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view resolves (outside a transaction: a failed query aborts one)."""
    try:
        con.execute(f"select 1 from {name} limit 0")
    except duckdb.CatalogException:
        return False
    return True


def old_tables(con: duckdb.DuckDBPyConnection) -> list[Versioned]:
    """Versioned tables a lake made before versions still holds as plain tables."""
    if exists(con, STATE.versions):
        return []
    return [table for table in VERSIONED if exists(con, table.view)]


def upgrade(con: duckdb.DuckDBPyConnection, tables: Iterable[Versioned]) -> None:
    """Move an older lake's plain tables into versions tables (in the caller's transaction;
    run before `lake_meta_ddl`, which then creates the views)."""
    for table in tables:
        statement = next(s for s in META_DDL if _defines(s, table))
        con.execute(_versions_ddl(statement, table))
        con.execute(f"insert into {table.versions} select *, 0 from {table.view}")
        con.execute(f"drop table {table.view}")


def local_zone(con: duckdb.DuckDBPyConnection) -> ZoneInfo:
    """The connection's time zone: `now()::timestamp` is the time there."""
    row = con.execute("select current_setting('TimeZone')").fetchone()
    return ZoneInfo(str(row[0])) if row else ZoneInfo("UTC")


def resolve_now(zone: ZoneInfo, values: Mapping[str, Any]) -> Row:
    """`values` with `now()` replaced by the time of the call (as the file would store it),
    so a row kept in memory and written again keeps the time of its first write.

    The clock, not DuckDB's `now()`: that is the time the transaction began, and a lake
    transaction can hold several batches (`etl.lake.group`)."""
    if not any(isinstance(value, Sql) for value in values.values()):
        return dict(values)
    now = datetime.now(zone).replace(tzinfo=None)
    return {name: now if isinstance(value, Sql) else value for name, value in values.items()}


class MetaRows:
    """The versioned rows this writer reads and writes, kept in memory once read or written.

    `staged` holds the rows written in the open transaction; `commit` moves them into memory
    once the transaction committed (a conflict drops them, and the retry stages them again).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.rows: dict[Key, Row | None] = {}
        self.staged: dict[Key, Row] = {}
        self.written: set[tuple[str, str]] = set()
        # "source/scope" of the scopes whose state rows are all in memory (`load_states`).
        self.held: set[str] = set()
        self._version: int | None = None
        self.zone = local_zone(con)

    def load_states(self, scopes: Sequence[tuple[str, str]]) -> None:
        """Every `meta.sync_state` row of these (source, scope) pairs, in one query."""
        cursor = self.con.execute(
            f"select * from {STATE.view} where list_contains(?::varchar[], source || '/' || scope)",
            [[f"{source}/{scope}" for source, scope in scopes]],
        )
        names = [column[0] for column in cursor.description or ()]
        found = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            found[(STATE.name, tuple(row[k] for k in STATE.key))] = row
        held = {f"{source}/{scope}" for source, scope in scopes}
        # Keys of held scopes without a row have none: only this writer would write one.
        for key in list(self.rows):
            if key[0] == STATE.name and f"{key[1][0]}/{key[1][1]}" in held:
                self.rows.pop(key)
        self.rows.update(found)
        self.held |= held

    def row(self, table: Versioned, key: Mapping[str, Any]) -> Row | None:
        """The newest row of `key`: staged, in memory, or read from the view."""
        ident = (table.name, tuple(key[k] for k in table.key))
        if ident in self.staged:
            return self.staged[ident]
        if ident in self.rows:
            return self.rows[ident]
        if table is STATE and f"{key['source']}/{key['scope']}" in self.held:
            return None
        where = " and ".join(f"{quote(k)} = ?" for k in table.key)
        cursor = self.con.execute(
            f"select * from {table.view} where {where}", [key[k] for k in table.key]
        )
        values = cursor.fetchone()
        if values is None:
            return None
        return dict(zip([c[0] for c in cursor.description or ()], values, strict=True))

    def next_version(self) -> int:
        """Above every stored version and every earlier one of this writer."""
        if self._version is None:
            row = self.con.execute(
                f"select max(version) from (select version from {RUNS.versions} "
                f"union all select version from {STATE.versions})"
            ).fetchone()
            self._version = int(row[0]) if row and row[0] is not None else 0
        self._version = max(self._version + 1, time.time_ns())
        return self._version

    def put(
        self,
        table: Versioned,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        insert_missing: bool = True,
        whole: bool = False,
    ) -> bool:
        """Write a new version of `key`'s row: the newest one with `values` set (`UPDATE` or
        `MERGE` semantics, as `etl.warehouse.keyed.replace_row`). Returns whether written.

        `whole`: `values` set every column, so the stored row is not read (a read of a key not
        in memory is a query of the catalog)."""
        old = None if whole else self.row(table, key)
        if old is None and not insert_missing:
            return False
        row = {**(old or {}), **key, **resolve_now(self.zone, values)}
        columns = ", ".join(quote(column) for column in row)
        slots = ", ".join("?" for _ in row)
        self.con.execute(
            f"insert into {table.versions} ({columns}, version) values ({slots}, ?)",
            [*row.values(), self.next_version()],
        )
        self.staged[(table.name, tuple(key[k] for k in table.key))] = row
        self.written.add((str(key["source"]), str(key["scope"])))
        return True

    def commit(self) -> None:
        """The open transaction committed: its rows are now the stored ones."""
        self.rows.update(self.staged)
        self.staged.clear()

    def discard(self) -> None:
        self.staged.clear()


def mark_interrupted(
    con: duckdb.DuckDBPyConnection, scopes: Sequence[tuple[str, str]], version: int
) -> int:
    """Runs of these scopes left 'running' get an 'interrupted' version (the caller holds
    their locks and the transaction)."""
    row = con.execute(
        f"insert into {RUNS.versions} select * replace ('interrupted' as status), ? "
        f"from {RUNS.view} where status = 'running' "
        "and list_contains(?::varchar[], source || '/' || scope)",
        [version, [f"{source}/{scope}" for source, scope in scopes]],
    ).fetchone()
    return int(row[0]) if row else 0


def remove_superseded(con: duckdb.DuckDBPyConnection, scopes: Iterable[tuple[str, str]]) -> None:
    """Delete the versions of these scopes' keys that a newer version replaced (the caller
    holds the transaction). One delete per table: the only deletes a sync makes there."""
    held = [f"{source}/{scope}" for source, scope in scopes]
    for table in VERSIONED:
        key = ", ".join(quote(column) for column in table.key)
        join = " and ".join(f"v.{quote(column)} = n.{quote(column)}" for column in table.key)
        con.execute(
            f"""delete from {table.versions} v using (
                    select {key}, max(version) as newest from {table.versions}
                    where list_contains(?::varchar[], source || '/' || scope)
                    group by all having count(*) > 1
                ) n
                where {join} and v.version < n.newest""",
            [held],
        )
