"""`record_child_reads` on a lake: in the shared transaction, its delete only where rows can be.

The file's version (`etl.warehouse.children`) holds a transaction of its own, so on a lake it
committed once per child resource; and its delete from `meta.child_reads`, a table every
source writes, scans that table. Rows of a held scope are written only by this writer (the
scope's sync lock), so one read of which (source, scope, resource) have rows tells which
deletes can find none: those are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb

from etl.warehouse.children import write_child_reads

Ident = tuple[str, str, str]


class ChildReads:
    """The child reads of one lake writer, which holds the sync locks of `scopes`."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, scopes: Sequence[tuple[str, str]], zone: ZoneInfo
    ) -> None:
        self.con = con
        self.held = {f"{source}/{scope}" for source, scope in scopes}
        self.zone = zone
        self._stored: set[Ident] | None = None
        self._written: set[Ident] = set()

    def may_have_rows(self, ident: Ident) -> bool:
        if ident in self._written or f"{ident[0]}/{ident[1]}" not in self.held:
            return True
        if self._stored is None:
            self._stored = {
                (source, scope, resource)
                for source, scope, resource in self.con.execute(
                    "select distinct source, scope, resource from meta.child_reads "
                    "where list_contains(?::varchar[], source || '/' || scope)",
                    [sorted(self.held)],
                ).fetchall()
            }
        return ident in self._stored

    def record(self, source: str, scope: str, resource: str, versions: Mapping[str, str]) -> None:
        """Remember the parent versions whose children were just read (the caller holds the
        transaction)."""
        if not versions:
            return
        ident = (source, scope, resource)
        delete = self.may_have_rows(ident)
        # Noted before writing: a retry of the transaction then deletes first.
        self._written.add(ident)
        write_child_reads(
            self.con,
            source,
            scope,
            resource,
            versions,
            delete=delete,
            read_at=datetime.now(self.zone).replace(tzinfo=None),
        )
