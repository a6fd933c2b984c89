"""A large catalog of Sartiq's wide products lands whole in a warehouse opened as a sync does."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.engine.sync import sync
from etl.simulators.sartiq import SartiqSimulator
from etl.warehouse.duckdb_file import DuckDBWarehouse, connect
from tests.sartiq.helpers import sartiq_runtime, scope_of

pytestmark = pytest.mark.slow


def test_a_large_catalog_of_wide_products_lands_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A product lands as 66 columns. With every batch in shared transactions (commit groups),
    # this catalog ran DuckDB out of its memory limit at a commit, and the rollback failed,
    # which ends the connection, and the sync stopped there. Upserts now commit one by one.
    sim = SartiqSimulator(seed=7, products_per_org=30_000, shootings_per_org=8)
    path = tmp_path / "w.duckdb"
    with sim.serve():
        monkeypatch.setenv("SARTIQ_TOKEN", sim.token)
        runtime = sartiq_runtime(sim, tmp_path, page_size=100)
        with DuckDBWarehouse.open(path) as warehouse:
            result = sync([runtime], warehouse)
    assert result.ok, [r.error for r in result.results if r.error]
    con = connect(path, read_only=True)
    try:
        for org in [*sim.organizations, None]:
            expected = {record["id"] for record in sim.records("products", org)}
            landed = con.execute(
                "select id::varchar from raw.sartiq__products where organization_id = ? "
                "union all select id::varchar from raw.sartiq__products_disabled "
                "where organization_id = ?",
                [scope_of(org), scope_of(org)],
            ).fetchall()
            assert len(landed) == len(expected)
            assert {row[0] for row in landed} == expected
    finally:
        con.close()
    assert sum(len(sim.records("products", org)) for org in sim.organizations) > 50_000
