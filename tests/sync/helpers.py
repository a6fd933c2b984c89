"""Helpers for sync tests: runtimes pointed at a simulator, and warehouse vs simulator."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import duckdb

from etl.engine.auth import BearerToken
from etl.engine.client import RetryPolicy
from etl.engine.declarations import Resource, Source
from etl.engine.paginators import OffsetHeaderPaginator
from etl.engine.sync import Extract, SourceRuntime, SyncResult, sync
from etl.simulators.grandshooting import (
    Catalog,
)
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.duckdb_file import DuckDBWarehouse

TOKEN = "test-token-9f8e7d6c5b4a"
FAST_RETRY = RetryPolicy(max_attempts=8, budget=30.0, backoff_base=0.005, backoff_cap=0.05)
RESOURCES = [r.name for r in SOURCE.resources]


def with_ceiling(source: Source, ceiling: int) -> Source:
    """The same declaration with a lower offset ceiling, so small catalogs page by key."""

    def lowered(resource: Resource) -> Resource:
        if isinstance(resource.paginator, OffsetHeaderPaginator):
            pager = dataclasses.replace(resource.paginator, ceiling=ceiling)
            return dataclasses.replace(resource, paginator=pager)
        return resource

    return dataclasses.replace(source, resources=tuple(lowered(r) for r in source.resources))


def runtime(
    base_url: str,
    *,
    source: Source = SOURCE,
    token: str = TOKEN,
    rate_limit: float = 0,
    accounts: tuple[int, ...] = (0,),
    **overrides: Any,
) -> SourceRuntime:
    extracts = [
        Extract(
            scope=str(a),
            base_url=base_url,
            auth=BearerToken(token),
            params=(("account_id", str(a)),) if a else (),
        )
        for a in accounts
    ]
    settings: dict[str, Any] = {"retry": FAST_RETRY, "timeout": 5.0, **overrides}
    return SourceRuntime(source=source, extracts=extracts, rate_limit=rate_limit, **settings)


def run(
    con: duckdb.DuckDBPyConnection, rt: SourceRuntime, full_refresh: bool = False
) -> SyncResult:
    return sync([rt], DuckDBWarehouse(con), full_refresh=full_refresh)


def landed(
    con: duckdb.DuckDBPyConnection, resource: str, account: int = 0, *, deleted: bool = False
) -> dict[Any, dict[str, Any]]:
    """The original records in a raw table, by primary key (live rows unless `deleted`)."""
    res = SOURCE.resource(resource)
    keys = ", ".join(res.primary_key)
    condition = "is not null" if deleted else "is null"
    rows = con.execute(
        f"select {keys}, _raw from raw.grandshooting__{resource} "
        f"where account_id = ? and _deleted_at {condition}",
        [account],
    ).fetchall()
    return {row[:-1] if len(row) > 2 else row[0]: json.loads(row[-1]) for row in rows}


def served(catalog: Catalog, resource: str, account: int = 0) -> dict[Any, dict[str, Any]]:
    """What the simulator serves for a resource, by primary key."""
    res = SOURCE.resource(resource)
    out = {}
    for record in catalog.records(resource, account):
        key = tuple(record[k] for k in res.primary_key)
        out[key if len(key) > 1 else key[0]] = record
    return out


def assert_exact(con: duckdb.DuckDBPyConnection, catalog: Catalog, account: int = 0) -> None:
    for resource in RESOURCES:
        got, want = landed(con, resource, account), served(catalog, resource, account)
        assert got.keys() == want.keys(), resource
        assert got == want, resource
