"""Attaching a lake for real: catalog in PostgreSQL (or a file), data on moto's S3 or a folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from etl.lake.attach import connect_lake
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError
from tests.lake.services import S3_KEYS, Postgres, S3Server

ROWS = [(1, "front", '{"views":["face","back"]}'), (2, "back", None), (3, "détail", "[]")]
# The same rows as a second connection reads them back, the JSON column queried.
READ_BACK = [(1, "front", "back"), (2, "back", None), (3, "détail", None)]


def _write_and_read(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    con.execute("create schema if not exists raw")
    con.execute("create table raw.pictures (picture_id bigint, view varchar, _raw json)")
    # One statement, one commit: one Parquet file (each autocommitted insert writes its own).
    values = ", ".join("(?, ?, ?)" for _ in ROWS)
    con.execute(f"insert into raw.pictures values {values}", [v for row in ROWS for v in row])
    return con.execute("select * from raw.pictures order by picture_id").fetchall()


def _read_back(
    lake: LakeWarehouse, env: dict[str, str], base: Path | None = None
) -> list[tuple[object, ...]]:
    """What a second, read-only connection (as from another process) reads."""
    reader = connect_lake(lake, base_dir=base, read_only=True, env=env)
    try:
        return reader.execute(
            "select picture_id, view, _raw->>'$.views[1]' from raw.pictures order by picture_id"
        ).fetchall()
    finally:
        reader.close()


def _parquet_rows(con: duckdb.DuckDBPyConnection, pattern: str) -> list[int]:
    files = [row[0] for row in con.execute(f"select file from glob('{pattern}')").fetchall()]
    return [
        int(con.execute(f"select count(*) from read_parquet('{f}')").fetchone()[0])  # type: ignore[index]
        for f in files
    ]


@pytest.mark.parametrize("storage", ["s3", "folder"])
def test_lake_on_postgres_lands_parquet_in_the_data_path(
    storage: str,
    postgres: Postgres,
    lake_name: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if storage == "s3":
        s3: S3Server = request.getfixturevalue("s3")
        data_path = files_at = f"s3://{s3.bucket}/{lake_name}/"
        endpoint, env = s3.endpoint, S3_KEYS
    else:
        # A relative folder resolves against the config file's folder (base_dir).
        data_path, files_at, endpoint, env = "lake-data", f"{tmp_path}/lake-data/", None, {}
    lake = LakeWarehouse(
        kind="ducklake",
        catalog=f"postgres:{postgres.conninfo()}",
        metadata_schema=lake_name,
        data_path=data_path,
        s3_endpoint=endpoint,
    )
    con = connect_lake(lake, base_dir=tmp_path, env=env)
    try:
        assert _write_and_read(con) == ROWS
        assert _parquet_rows(con, f"{files_at}raw/pictures/*.parquet") == [3]
    finally:
        con.close()
    assert _read_back(lake, env, tmp_path) == READ_BACK


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_lake_with_file_catalog_round_trips(kind: str, tmp_path: Path) -> None:
    lake = LakeWarehouse(kind="ducklake", catalog=f"{kind}:catalog.{kind}", data_path="data")
    con = connect_lake(lake, base_dir=tmp_path, env={})
    try:
        assert _write_and_read(con) == ROWS
    finally:
        con.close()
    assert (tmp_path / f"catalog.{kind}").is_file()
    assert _read_back(lake, {}, tmp_path) == READ_BACK


def test_unreachable_catalog_is_one_line_without_the_password(
    postgres: Postgres, tmp_path: Path
) -> None:
    missing = dataclasses.replace(postgres, database=f"{postgres.database}_missing")
    lake = LakeWarehouse(
        kind="ducklake",
        catalog=f"postgres:{missing.conninfo()}",
        catalog_password_env="SHOTLIST_TEST_CATALOG_PASSWORD",
        data_path="data",
    )
    env = {"SHOTLIST_TEST_CATALOG_PASSWORD": "pw-never-shown-4711"}
    with pytest.raises(LakeError) as caught:
        connect_lake(lake, base_dir=tmp_path, env=env)
    message = str(caught.value)
    assert message.startswith(f"warehouse.catalog 'postgres:{missing.conninfo()}': cannot attach")
    assert f'database "{missing.database}" does not exist' in message
    assert "pw-never-shown-4711" not in message
    assert "\n" not in message
