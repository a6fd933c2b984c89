"""The analytics file: published only after a good build, swapped atomically, never blocking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from etl.models import build

from .helpers import load_raw, make_config, query

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
