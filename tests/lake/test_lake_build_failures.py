"""A lake build's failures: a failing model fails alone, a failed build publishes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.config import Config
from etl.lake.attach import attach_lake
from etl.models import build
from etl.warehouse_kind import lake_settings
from tests.lake.services import Postgres
from tests.lake.simulated import config, lake_section

GOOD = {
    "staging/base.sql": "select 1 as id, 'x' as name",
    "staging/other.sql": "select 2 as id",
    "marts/t.sql": "select 1 as id union all select 2",
    "marts/fine.sql": "select id from staging.base",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _read(lake: Config, folder: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    try:
        attach_lake(con, lake_settings(lake), base_dir=folder, read_only=True)
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_failing_view_or_table_fails_alone_and_publishes_nothing(
    tmp_path: Path, postgres: Postgres, lake_name: str
) -> None:
    folder = tmp_path / "lake"
    lake = config(folder, lake_section(postgres, lake_name))
    sql = _write(tmp_path / "sql", GOOD)
    first = build(lake, sql_dir=sql)
    assert first.ok and first.published
    # One view of the batch made at once fails, and a table: the others are still made.
    _write(
        sql,
        {
            "staging/broken.sql": "select no_such_column",
            "marts/t.sql": "select 1 / 'x'::integer as id",
            "marts/after.sql": "select * from staging.broken",
        },
    )
    result = build(lake, sql_dir=sql)
    statuses = {m.model: m.status for m in result.models}
    assert statuses == {
        "staging.base": "success",
        "staging.broken": "error",
        "staging.other": "success",
        "marts.after": "skipped",
        "marts.fine": "success",
        "marts.t": "error",
    }
    assert not result.ok and result.published is None
    # The failed table keeps its rows; the last published snapshot is still the first build's.
    assert _read(lake, folder, "select count(*) from lake.marts.t") == [(2,)]
    published = _read(
        lake,
        folder,
        "select count(*) from ducklake_snapshots('lake') "
        "where commit_message like 'shotlist publish %'",
    )
    assert published == [(1,)]
