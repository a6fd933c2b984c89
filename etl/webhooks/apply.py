"""Where webhook records meet the engine: records of one resource landed in one warehouse call.

Records go through the sync's own path (RowBuilder for typed columns, `_raw`, drift and
quarantine; `Warehouse.land` for the keyed upsert and `meta.sync_runs`), with the option the
sync does not need: `keep_newer="date_mod"`, so a record older than the stored one never
replaces it, because events arrive late and twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etl.engine.rows import RowBuilder
from etl.engine.runtime import utcnow
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.protocol import Warehouse
from etl.warehouse.tables import RawTable, StateUpdate

SOURCE_NAME = SOURCE.name
CURSOR = "date_mod"


@dataclass(frozen=True)
class Change:
    """One record of one message, in arrival order; `record` is None for a bare deleted id."""

    key: int
    record: dict[str, Any] | None
    deleted: bool
    received_at: datetime


@dataclass
class Applied:
    """What one (scope, resource) batch did to its raw table."""

    resource: str
    scope: int
    received: int = 0
    landed: int = 0
    stale: int = 0
    quarantined: int = 0
    deleted: int = 0


def _rows(
    builder: RowBuilder, changes: Sequence[Change], applied: Applied, synced_at: datetime
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]], list[int]]:
    rows: list[tuple[tuple[datetime, bool, int], dict[str, Any]]] = []
    quarantined: list[tuple[str, str, str]] = []
    bare: list[int] = []
    for seq, change in enumerate(changes):
        if change.record is None:
            bare.append(change.key)
            continue
        built, bad = builder.build([change.record], synced_at)
        quarantined.extend(bad)
        if not built:
            if change.deleted:
                bare.append(change.key)
            continue
        row = built[0]
        if change.deleted:
            row["_deleted_at"] = change.received_at
        rows.append(((row.get(CURSOR) or datetime.min, change.deleted, seq), row))
    applied.quarantined += len(quarantined)
    # Newest last, as `rows_frame` keeps the last copy of a key; at one date_mod a deletion
    # comes after live copies (the rule `land(keep_newer=)` applies across batches), then
    # arrival.
    rows.sort(key=lambda item: item[0])
    return [row for _, row in rows], quarantined, bare


def ensure_tables(warehouse: Warehouse) -> None:
    """The raw tables webhook records land in (once per drain batch)."""
    warehouse.ensure_tables(SOURCE)


def apply_changes(
    warehouse: Warehouse,
    run_id: str,
    resource_name: str,
    scope: int,
    changes: Sequence[Change],
    messages: int,
) -> Applied:
    """Land one resource's changes for one account as a `mode = 'webhook'` run row."""
    resource = SOURCE.resource(resource_name)
    table = RawTable(SOURCE, resource)
    applied = Applied(resource_name, scope, received=len(changes))
    warehouse.start_run(run_id, SOURCE_NAME, str(scope), resource_name, "webhook")
    try:
        builder = RowBuilder(
            resource.model, resource.primary_key, table.scope_column, scope, run_id
        )
        synced_at = utcnow()
        rows, quarantined, bare = _rows(builder, changes, applied, synced_at)
        # The newest copy of each key (rows are sorted newest last), live ones and deletions
        # landed apart: what each call replaced or added carries this batch's stamp, so the
        # counts after each say what landed, and the rest was older than what is stored.
        newest = {tuple(row[k] for k in table.key): row for row in rows}
        live = [row for row in newest.values() if row["_deleted_at"] is None]
        gone = [row for row in newest.values() if row["_deleted_at"] is not None]
        state = StateUpdate(
            source=SOURCE_NAME,
            scope=str(scope),
            resource=resource_name,
            pass_state=None,  # the sync's watermark and checkpoint are not the hooks' business
            run_id=run_id,
            pages=messages,
            rows=len(newest),
        )
        warehouse.land(table, live, state, quarantined, keep_newer=CURSOR)
        landed_live = warehouse.count_since(table, scope, synced_at) if live else 0
        if gone:
            warehouse.land(table, gone, state, keep_newer=CURSOR)
            applied.landed = warehouse.count_since(table, scope, synced_at)
            applied.deleted += applied.landed - landed_live
        else:
            applied.landed = landed_live
        applied.stale = len(newest) - applied.landed
        at = max((c.received_at for c in changes), default=utcnow())
        applied.deleted += warehouse.mark_deleted(table, scope, bare, at)
        if builder.drift:
            warehouse.record_drift(run_id, SOURCE_NAME, resource_name, builder.drift)
    except Exception as exc:
        warehouse.end_run(
            run_id, SOURCE_NAME, str(scope), resource_name,
            status="failed", error=str(exc), pages=messages, rows=0,
        )  # fmt: skip
        raise
    warehouse.end_run(
        run_id, SOURCE_NAME, str(scope), resource_name,
        status="ok", error=None, pages=messages, rows=applied.landed,
    )  # fmt: skip
    return applied
