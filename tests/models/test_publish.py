"""The analytics file: published only after a good build, swapped atomically, never blocking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from etl.models import build
from etl.sources.registry import SOURCES

from .helpers import load_raw, make_config, query, warehouse_query
from .synced import synced_and_built

# An analyst's session in another process: opens the file read-only, answers each line of
# stdin with the number of products it sees through the same connection.
READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from marts.products").fetchone()[0], flush=True)
    for line in sys.stdin:
        print(con.execute("select count(*) from marts.products").fetchone()[0], flush=True)
    """
)


def _refs(*refs: str) -> list[dict[str, object]]:
    return [{"reference_id": i, "ref": r} for i, r in enumerate(refs, start=1)]


def test_reader_keeps_its_snapshot_and_never_blocks_a_build(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    load_raw(config, {"grandshooting__references": _refs("A", "B")})
    assert build(config).ok
    analytics = config.resolve(config.warehouse.analytics_path)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(analytics)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "2"
        # Three more references, rebuilt while the reader holds the file open.
        load_raw(
            config,
            {"grandshooting__references": [{"reference_id": i, "ref": f"N{i}"} for i in (7, 8, 9)]},
        )
        result = build(config)
        assert result.ok
        assert result.published == analytics
        # The open session still sees the complete previous version...
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "2"
        # ...and a new session sees the new one.
        assert query(config, "select count(*) from marts.products") == [(5,)]
    finally:
        if reader.stdin:
            reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0
    # Nothing is left beside the published file.
    assert sorted(p.name for p in tmp_path.iterdir() if "analytics" in p.name) == [
        "analytics.duckdb"
    ]


def test_failed_build_leaves_published_file_as_it_was(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    (sql / "marts").mkdir(parents=True)
    (sql / "marts" / "t.sql").write_text("select 1 as v")
    config = make_config(tmp_path / "project")
    assert build(config, sql_dir=sql).ok
    (sql / "marts" / "t.sql").write_text("select 2 as v")
    (sql / "marts" / "u.sql").write_text("select nope from marts.t")
    result = build(config, sql_dir=sql)
    assert not result.ok
    assert result.published is None
    assert query(config, "select v from marts.t") == [(1,)]


def test_build_checkpoints_the_warehouse_and_restores_the_threshold(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    warehouse = config.resolve(config.warehouse.path)
    load_raw(config, {"grandshooting__references": _refs("A", "B")})
    # A connection of this process to the same file shares its database (and its settings):
    # the build's closing connection then does not checkpoint it on its own.
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set checkpoint_threshold = '64MiB'")
        assert build(config).ok
        assert con.execute("select current_setting('checkpoint_threshold')").fetchone() == (
            "64.0 MiB",
        )
        # Everything the build wrote is in the file itself, in neither file's WAL.
        wal = warehouse.with_name(warehouse.name + ".wal")
        assert not wal.exists() or wal.stat().st_size == 0
        analytics = config.resolve(config.warehouse.analytics_path)
        assert not analytics.with_name(analytics.name + ".wal").exists()
        assert con.execute("select count(*) from marts.products").fetchone() == (2,)
    finally:
        con.close()


def test_published_file_keeps_descriptions_and_build_info(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    result = build(config)
    assert result.ok
    comments = query(
        config,
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'shotlist_coverage' and column_name = 'coverage_pct'",
    )
    assert comments == [
        (
            "min(validated_images, expected_images) / expected_images, between 0 and 1; "
            "NULL when nothing is expected.",
        )
    ]
    assert query(config, "select run_id from meta.build_info") == [(result.run_id,)]
    # This build's run logs travel with it.
    assert query(config, "select count(*), min(status) from meta.model_runs") == [
        (len(result.models), "success")
    ]
    assert query(config, "select count(*) from meta.test_results where status = 'pass'") == [
        (len(result.tests),)
    ]
    assert result.error is None
    assert result.summary().startswith(
        f"{len(result.models)}/{len(result.models)} models built, "
        f"{len(result.tests)}/{len(result.tests)} data tests passed, 0 warnings, published "
    )


def test_published_file_carries_sync_runs_and_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = synced_and_built(tmp_path, monkeypatch)
    runs = (
        "select run_id, source, scope, resource, mode, started_at, ended_at, pages, rows, "
        "status, error from meta.sync_runs order by all"
    )
    published_runs = query(config, runs)
    # Every run of every resource, exactly as the warehouse logged it.
    assert published_runs == warehouse_query(config, runs)
    resources = {r.name for r in SOURCES["grandshooting"].resources}
    assert {(r[1], r[2], r[3]) for r in published_runs} == {
        ("grandshooting", "0", name) for name in resources
    }
    assert {r[9] for r in published_runs} <= {"ok", "warning", "skipped"}
    assert all(r[6] is not None and r[6] >= r[5] for r in published_runs)
    # The watermarks and last successes, without the engine's internal resume point.
    state_columns = [
        r[0]
        for r in query(
            config,
            "select column_name from duckdb_columns() where schema_name = 'meta' "
            "and table_name = 'sync_state' order by column_index",
        )
    ]
    assert state_columns == [
        "source",
        "scope",
        "resource",
        "watermark",
        "last_success_at",
        "last_full_at",
    ]
    state = "select " + ", ".join(state_columns) + " from meta.sync_state order by all"
    published_state = query(config, state)
    assert published_state == warehouse_query(config, state)
    synced_ok = {r[3] for r in published_runs if r[9] in ("ok", "warning")}
    assert {r[2] for r in published_state if r[4] is not None} == synced_ok
    assert "pictures" in synced_ok
    pictures = next(r for r in published_state if r[2] == "pictures")
    newest = warehouse_query(config, "select max(date_mod) from raw.grandshooting__pictures")
    assert pictures[3] == newest[0][0]  # the watermark is the newest modification landed
    comments = query(
        config,
        "select table_name, comment is not null from duckdb_tables() "
        "where schema_name = 'meta' order by 1",
    )
    assert ("sync_runs", True) in comments and ("sync_state", True) in comments


def test_build_before_any_sync_publishes_empty_sync_tables(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert build(config).ok
    assert query(config, "select count(*) from meta.sync_runs") == [(0,)]
    assert query(config, "select count(*) from meta.sync_state") == [(0,)]
