"""The lake's set-up without servers: extensions from the packaged files, config, secrets."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

import etl.lake.extensions
from etl.errors import SecretMissingError
from etl.lake.attach import attach_statement, connect_lake
from etl.lake.config import LakeWarehouse
from etl.lake.extensions import (
    EXTENSIONS,
    connection_config,
    extension_connection,
    load_extensions,
)


def test_extensions_load_from_the_packaged_files() -> None:
    con = duckdb.connect()
    sources = load_extensions(con, list(EXTENSIONS))
    version = con.execute("select version()").fetchone()[0]  # type: ignore[index]
    for name, where in sources.items():
        path = Path(where)
        assert path.is_file()
        assert path.name == f"{EXTENSIONS[name].stem}.duckdb_extension"
        assert path.parent.parent.name == version
    loaded = con.execute(
        "select extension_name from duckdb_extensions() where loaded and extension_name in "
        "('ducklake', 'postgres_scanner', 'httpfs', 'sqlite_scanner') order by 1"
    ).fetchall()
    assert loaded == [("ducklake",), ("httpfs",), ("postgres_scanner",), ("sqlite_scanner",)]
    assert load_extensions(con, ["ducklake"]) == {"ducklake": "loaded"}


def _checks_signatures(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("select current_setting('allow_unsigned_extensions')").fetchone()
    return not (row and row[0])


def test_packaged_extensions_load_without_hashing_their_files_again() -> None:
    with extension_connection(["ducklake", "postgres"]) as con:
        loaded = con.execute(
            "select extension_name from duckdb_extensions() where loaded and extension_name in "
            "('ducklake', 'postgres_scanner', 'httpfs') order by 1"
        ).fetchall()
        assert loaded == [("ducklake",), ("postgres_scanner",)]
        # The installed package files only: their signature check is what is skipped.
        assert not _checks_signatures(con)


def test_an_extension_from_install_keeps_the_signature_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = etl.lake.extensions.packaged_files

    def without_httpfs(extension: etl.lake.extensions.Extension, platform: str) -> dict[str, Path]:
        return {} if extension.name == "httpfs" else real(extension, platform)

    monkeypatch.setattr(etl.lake.extensions, "packaged_files", without_httpfs)
    assert connection_config(["ducklake", "postgres"]) == {"allow_unsigned_extensions": True}
    assert connection_config(["ducklake", "httpfs"]) == {}


@pytest.mark.parametrize(
    ("values", "field", "problem"),
    [
        ({"catalog": "mysql:db=x"}, "catalog", 'must be one of "postgres:..."'),
        ({"catalog": "postgres:dbname=x password=hunter2"}, "catalog", "must not hold a password"),
        ({"data_path": "gs://bucket/x"}, "data_path", "only s3:// URLs or a local folder"),
        ({"s3_endpoint": "ftp://host:21"}, "s3_endpoint", 'must be "host:port"'),
        ({"catalogue": "postgres:dbname=x"}, "catalogue", "Extra inputs are not permitted"),
    ],
)
def test_lake_config_rejects_bad_values(values: dict[str, str], field: str, problem: str) -> None:
    base = {"kind": "ducklake", "catalog": "postgres:dbname=x", "data_path": "s3://b/p/"}
    with pytest.raises(ValidationError) as caught:
        LakeWarehouse.model_validate({**base, **values})
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert problem in error["msg"]


def test_lake_on_s3_without_keys_names_the_variable(tmp_path: Path) -> None:
    lake = LakeWarehouse(kind="ducklake", catalog="duckdb:c.ducklake", data_path="s3://b/p/")
    with pytest.raises(SecretMissingError) as caught:
        connect_lake(lake, base_dir=tmp_path, env={"AWS_SECRET_ACCESS_KEY": "s3cr3t-value"})
    assert str(caught.value) == (
        "warehouse.data_path: environment variable AWS_ACCESS_KEY_ID is not set "
        "(it must hold the secret; secrets are never read from the file)"
    )


def test_attach_statement_carries_no_secret(tmp_path: Path) -> None:
    lake = LakeWarehouse(
        kind="ducklake",
        catalog="postgres:dbname=shotlist host=db.example",
        catalog_password_env="SHOTLIST_CATALOG_PASSWORD",
        data_path="s3://studio-lake/shotlist",
        metadata_schema="studio",
    )
    assert attach_statement(lake, tmp_path, read_only=True, snapshot_version=7) == (
        "attach 'ducklake:postgres:dbname=shotlist host=db.example' as lake "
        "(data_path 's3://studio-lake/shotlist/', metadata_schema 'studio', read_only, "
        "snapshot_version 7)"
    )
