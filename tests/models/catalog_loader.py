"""Loads a simulator catalog into raw tables the way the sync engine lands API records."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from etl.config import Config
from etl.simulators.grandshooting.catalog import RESOURCES, Catalog
from etl.sources.registry import SOURCES
from etl.warehouse import duckdb_file as wh


def load_catalog(config: Config, catalog: Catalog) -> None:
    """Validate every record with its resource's model and land it in `raw.grandshooting__*`."""
    source = SOURCES["grandshooting"]
    con = wh.connect(config.resolve(config.warehouse.path))
    try:
        wh.ensure_raw_tables(con, source)
        for account_id in catalog.account_ids:
            for name in RESOURCES:
                resource = source.resource(name)
                table = wh.RawTable(source, resource)
                rows: list[dict[str, Any]] = []
                for record in catalog.records(name, account_id):
                    item = resource.model.model_validate(record)
                    row = {field: getattr(item, field) for field in resource.model.model_fields}
                    row[source.scope_column] = account_id
                    row["_raw"] = json.dumps(record, default=str)
                    row["_synced_at"] = datetime(2026, 11, 20, 10, 0, 0)
                    row["_run_id"] = "test"
                    row["_deleted_at"] = None
                    rows.append(row)
                state = wh.StateUpdate("grandshooting", str(account_id), name, None, "test", 1, 0)
                wh.land(con, table, wh.rows_frame(table, rows) if rows else None, state)
    finally:
        con.close()
