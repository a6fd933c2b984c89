"""Rows inserted by one statement come back exactly as given, whatever the value's type."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from etl.models.sqltext import insert_rows


def test_every_value_comes_back_as_given() -> None:
    con = duckdb.connect()
    con.execute(
        "create table t (s varchar, n bigint, x double, taken timestamp, day date, ok boolean)"
    )
    rows: list[list[object]] = [
        [
            "it's -- not; a comment",
            5,
            1.25,
            datetime(2026, 12, 6, 9, 30, 1, 250),
            date(2026, 1, 2),
            True,
        ],
        ["back\\slash 'quoted' $$", -7, None, None, None, False],
        ["nul\x00byte", None, float("inf"), datetime(1999, 12, 31), date(1999, 12, 31), None],
    ]
    insert_rows(con, "t", rows)
    assert [list(r) for r in con.execute("select * from t order by n nulls last").fetchall()] == [
        rows[1],
        rows[0],
        rows[2],
    ]


def test_aware_times_keep_their_instant() -> None:
    con = duckdb.connect()
    con.execute("create table t (taken timestamptz)")
    moment = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    insert_rows(con, "t", [[moment]])
    row = con.execute("select epoch(taken) from t").fetchone()
    assert row == (moment.timestamp(),)
