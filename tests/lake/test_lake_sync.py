"""A lake synced and built from the simulators holds exactly what a file warehouse holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from etl.config import Config
from etl.lake.attach import attach_lake
from etl.lake.errors import LakeError
from etl.models import build
from etl.models.build import BuildResult
from etl.models.docs import write_docs
from etl.models.query import run_query
from etl.report.source import open_report_source
from etl.runs import recent_runs
from etl.sync import sync_sources
from etl.warehouse_kind import lake_settings
from tests.lake.compare import compare, relations, unequal
from tests.lake.services import Postgres, S3Server
from tests.lake.simulated import config, lake_section, simulators

TODAY = date(2026, 11, 30)
# Only the lake has them: the file publishes build_info into the analytics file instead, and
# keeps its run and checkpoint rows in the tables the lake shows as views of these versions
# (`etl.lake.meta`; the views are compared).
LAKE_ONLY = {"build_info", "sync_runs_versions", "sync_state_versions"}


@dataclass
class Synced:
    file: Config
    lake: Config
    syncs: list[tuple[str, int, int]]  # (kind, rows, failed resources) per sync
    builds: dict[str, BuildResult]
    con: duckdb.DuckDBPyConnection  # file warehouse as `filewh`, the lake as `lake`


@pytest.fixture(scope="module")
def synced(
    postgres: Postgres, s3: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Synced]:
    """A full then an incremental sync of both simulators into each kind, then a build."""
    folder = tmp_path_factory.mktemp("equal")
    name = f"lake_{uuid.uuid4().hex[:10]}"
    file = config(folder / "file")
    lake = config(folder / "lake", lake_section(postgres, name, s3))
    syncs, builds = [], {}
    with simulators() as sims:
        for base in (file, lake):
            pointed = sims.point(base)
            for _ in range(2):
                result = sync_sources(pointed)
                failed = sum(1 for r in result.results if r.status == "failed")
                syncs.append((base.warehouse.kind, result.rows, failed))
            builds[base.warehouse.kind] = build(pointed, today=TODAY)
    con = duckdb.connect()
    con.execute(f"attach '{folder}/file/data/warehouse.duckdb' as filewh (read_only)")
    attach_lake(con, lake_settings(lake), base_dir=folder / "lake", read_only=True)
    try:
        yield Synced(file, lake, syncs, builds, con)
    finally:
        con.close()


def test_both_syncs_land_the_same_row_counts(synced: Synced) -> None:
    by_kind = {
        kind: [(rows, failed) for k, rows, failed in synced.syncs if k == kind]
        for kind in ("duckdb", "ducklake")
    }
    assert by_kind["ducklake"] == by_kind["duckdb"]
    full, incremental = by_kind["duckdb"]
    assert full[0] > 0 and incremental[0] > 0
    assert full[1] == incremental[1] == 0


@pytest.mark.parametrize("schema", ["raw", "meta"])
def test_raw_and_meta_tables_are_equal_table_by_table(synced: Synced, schema: str) -> None:
    result = compare(synced.con, "filewh", "lake", schema)
    tables = {t: v for t, v in result.items() if t not in LAKE_ONLY}
    assert unequal(tables) == {}
    # Every table was compared, and raw ones hold rows.
    assert len(tables) >= (20 if schema == "raw" else 6)
    if schema == "raw":
        assert sum(v[0] for v in tables.values()) > 500


def test_build_gives_identical_models(synced: Synced) -> None:
    assert synced.builds["duckdb"].ok and synced.builds["ducklake"].ok
    assert synced.builds["ducklake"].published == "lake snapshot " + str(
        synced.con.execute(
            "select max(snapshot_id) from ducklake_snapshots('lake') "
            "where commit_message like 'shotlist publish %'"
        ).fetchone()[0]  # type: ignore[index]
    )
    # Intermediate models live in memory during the build (sql/README.md): neither keeps them.
    for schema in ("seeds", "staging", "marts"):
        result = compare(synced.con, "filewh", "lake", schema)
        assert result and unequal(result) == {}, schema
    coverage = synced.con.execute("select count(*) from lake.marts.shotlist_coverage").fetchone()
    assert coverage is not None and coverage[0] > 0


def test_report_reads_the_published_snapshot_with_the_files_marts(synced: Synced) -> None:
    source = open_report_source(synced.lake)
    try:
        assert str(source.analytics).startswith("lake snapshot ")
        source.con.execute(
            f"attach '{synced.file.resolve(Path('data/analytics.duckdb'))}' as published "
            "(read_only)"
        )
        result = compare(source.con, "published", "analytics", "marts")
        assert len(result) == len(relations(source.con, "published", "marts")) > 5
        assert unequal(result) == {}
        runs = source.con.execute("select count(*) from meta.sync_runs").fetchone()
        assert runs is not None and runs[0] > 0
    finally:
        source.close()


def test_query_and_docs_read_the_lake_as_the_file(synced: Synced) -> None:
    sql = "select coverage_status, count(*) from marts.shotlist_coverage group by 1 order by 1"
    on_file = run_query(synced.file, sql, "csv")
    assert run_query(synced.lake, sql, "csv") == on_file
    assert len(on_file.splitlines()) > 1
    # The descriptions (COMMENT ON) are in the lake too: the same data dictionary.
    assert write_docs(synced.lake, None) == write_docs(synced.file, None)
    lines = recent_runs(synced.lake)
    assert lines[0].split()[:3] == ["run", "started", "resource"]
    assert len(lines) == len(recent_runs(synced.file))


def test_query_as_of_reads_a_past_build_or_says_there_is_none(synced: Synced) -> None:
    sql = "select count(*) from marts.shotlist_coverage"
    later = datetime.now() + timedelta(minutes=5)
    assert run_query(synced.lake, sql, "csv", later) == run_query(synced.file, sql, "csv")
    with pytest.raises(LakeError, match="no published build at or before 2020-01-01 00:00 yet"):
        run_query(synced.lake, sql, "csv", datetime(2020, 1, 1))
