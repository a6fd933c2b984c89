"""Helpers for Sartiq tests: a runtime bound through the config, and warehouse reads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import duckdb

from etl.config import parse_config
from etl.engine.client import RetryPolicy
from etl.engine.sync import SourceRuntime, SyncResult, sync
from etl.simulators.sartiq import SartiqSimulator
from etl.sources.sartiq.source import runtime
from etl.warehouse.duckdb_file import DuckDBWarehouse

FAST_RETRY = RetryPolicy(max_attempts=8, budget=30.0, backoff_base=0.005, backoff_cap=0.05)


def sartiq_runtime(sim: SartiqSimulator, tmp_path: Path, **settings: Any) -> SourceRuntime:
    """The connector bound through `[sources.sartiq]`, as `shotlist sync sartiq` binds it."""
    section = {
        "base_url": sim.base_url,
        "organization_ids": sim.organizations,
        "include_personal": True,
        "rate_limit": 0,
        "page_size": 7,
        **settings,
    }
    config = parse_config({"sources": {"sartiq": section}}, tmp_path / "shotlist.toml")
    return dataclasses.replace(runtime(config), retry=FAST_RETRY, timeout=5.0)


def run(
    runtime_: SourceRuntime, con: duckdb.DuckDBPyConnection, *, full_refresh: bool = False
) -> SyncResult:
    return sync([runtime_], DuckDBWarehouse(con), full_refresh=full_refresh)


def scope_of(organization_id: str | None) -> str:
    return organization_id or "personal"


def live(con: duckdb.DuckDBPyConnection, resource: str, scope: str) -> list[dict[str, Any]]:
    """The `_raw` records of one scope's live rows (not marked deleted), as dicts."""
    rows = con.execute(
        f"select _raw from raw.sartiq__{resource} "
        "where organization_id = ? and _deleted_at is null",
        [scope],
    ).fetchall()
    return [json.loads(row[0]) for row in rows]


def by_id(records: list[dict[str, Any]], key: tuple[str, ...] = ("id",)) -> dict[Any, Any]:
    return {tuple(r.get(k) for k in key): r for r in records}


def result_of(result: SyncResult, resource: str, scope: str) -> Any:
    return next(r for r in result.results if r.resource == resource and r.scope == scope)
