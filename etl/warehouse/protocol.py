"""What the engine asks of a warehouse: the operations a second kind (a lake) implements again.

Every method is one short, blocking call; the engine runs them one at a time in a worker
thread, so an implementation needs no locking of its own for one sync. Writes that must be
atomic are one method each: `land` commits a batch with its checkpoint, `finish_pass` marks
what vanished and moves the watermark. Scope values are typed as the scope column is
(`BIGINT` scopes as ints); the `scope` strings of run and state rows are their text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from etl.warehouse.tables import Columns, RawTable, StateUpdate, TableSource


class Warehouse(Protocol):
    # ---- tables and run rows (`meta.sync_runs`, `meta.schema_drift`) -------------------

    def ensure_tables(self, source: TableSource) -> None:
        """Create the source's raw tables, or add the columns a newer model declares."""

    def mark_interrupted_runs(self) -> int:
        """Run rows left 'running' by a killed process become 'interrupted' (on a lake, only
        those of the scopes this writer holds the locks of: other writers' runs are live)."""

    def start_run(self, run_id: str, source: str, scope: str, resource: str, mode: str) -> None:
        """A 'running' row for one resource of one scope in this run."""

    def set_run_mode(self, run_id: str, source: str, scope: str, resource: str, mode: str) -> None:
        """Correct a run row's mode once the pass knows it (a partial re-read: incremental)."""

    def end_run(
        self,
        run_id: str,
        source: str,
        scope: str,
        resource: str,
        *,
        status: str,
        error: str | None,
        pages: int,
        rows: int,
    ) -> None:
        """Close a run row with its status and final counts."""

    def record_drift(
        self, run_id: str, source: str, resource: str, fields: Mapping[str, Any]
    ) -> None:
        """Fields the API sent that the record model does not declare, one example each."""

    # ---- landing and checkpoints (`raw.*`, `meta.sync_state`, `meta.quarantine`) -------

    def read_state(
        self, source: str, scope: str, resource: str
    ) -> tuple[datetime | None, dict[str, Any] | None]:
        """The watermark, and the checkpoint of an interrupted pass (None: none)."""

    def land(
        self,
        table: RawTable,
        rows: Sequence[dict[str, Any]] | Columns,
        state: StateUpdate,
        quarantined: Iterable[tuple[str, str, str]] = (),
        *,
        keep_newer: str | None = None,
        fresh: bool = False,
    ) -> None:
        """Upsert rows by key, store quarantined records and the checkpoint: all or nothing.

        `rows` is one dict per row or a column batch (`Columns`: a list per column, as the
        engine builds them); in either, JSON columns may be given as text.

        `keep_newer` names a column (`date_mod`): a row then replaces the stored row of its key
        only if it is not older by that column, ties going to the row unless it would revive
        a row deleted at the same value (`duckdb_file.newer_condition` is the rule in SQL).

        `fresh`: the caller vouches that no stored row shares a key with `rows` (the engine's
        key-range walk into an empty scope); the rows may then be inserted without looking
        for rows to replace."""

    def mark_deleted(self, table: RawTable, scope: Any, keys: Sequence[Any], at: datetime) -> int:
        """Mark the live rows of a scope with these primary keys deleted at `at`; returns how
        many (the webhook deletions that carry ids only)."""

    def finish_pass(
        self,
        table: RawTable,
        scope: Any,
        *,
        pass_started_at: datetime,
        complete_scan: bool,
        watermark_column: str | None,
    ) -> int:
        """Close a pass: after a complete scan mark rows not seen since it began as deleted,
        move the watermark to the newest `watermark_column`, clear the checkpoint. Returns
        the rows marked."""

    def count_since(self, table: RawTable, scope: Any, since: datetime) -> int:
        """Rows of a scope landed at or after `since`."""

    # ---- resources read from other resources (`meta.child_reads`) ----------------------

    def has_rows(self, table: RawTable, scope: Any) -> bool:
        """Whether a scope has any row in the table, deleted or not."""

    def parent_rows(
        self, parent: RawTable, scope: Any, columns: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Distinct `columns` of a scope's live parent rows."""

    def parent_records(
        self, parent: RawTable, scope: Any, key: str, run_id: str | None, offset: int, limit: int
    ) -> list[str]:
        """A chunk of live parents' `_raw` JSON in `key` order (only run `run_id`'s if given)."""

    def parent_versions(
        self, parent: RawTable, scope: Any, key: str, columns: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Per live parent key (text), the values of `columns`."""

    def changed_keys(
        self, table: RawTable, scope: Any, link: str, cursor: str, since: datetime
    ) -> set[str]:
        """The distinct non-null `link` values (text) of live rows whose `cursor` >= `since`."""

    def members_differ(
        self,
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
        """Parents that `touching` rows moved since `since` list other children for (in their
        JSON `members`, compared on `fields`) than the live rows of `child`."""

    def child_reads(self, source: str, scope: str, resource: str) -> dict[str, str]:
        """Per parent key, the parent version its children were last read at."""

    def record_child_reads(
        self, source: str, scope: str, resource: str, versions: Mapping[str, str]
    ) -> None:
        """Remember the parent versions whose children were just read."""

    def mark_vanished(
        self,
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
        """Mark children unseen under a re-read parent (by key, or landed by run
        `refreshed_run`), and children whose parent is gone. Returns the rows marked."""
