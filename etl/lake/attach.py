"""Opens a DuckDB connection with the lake attached and selected, so `raw.*`, `meta.*` resolve.

The connection is in memory; the lake is attached as `lake` and made the default database, so
the SQL written for the single-file warehouse runs unchanged. Credentials go into temporary
DuckDB secrets, never into the ATTACH string: DuckDB repeats that string in its error messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import duckdb

from etl.errors import SecretMissingError
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError
from etl.lake.extensions import extension_connection, load_extensions
from etl.redact import register_secret

LAKE_ALIAS = "lake"
S3_KEY_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
S3_TOKEN_ENV = "AWS_SESSION_TOKEN"
S3_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def required_extensions(lake: LakeWarehouse) -> list[str]:
    """The extensions this lake needs (a DuckDB-file catalog needs none besides ducklake)."""
    names = ["ducklake"]
    if lake.catalog_kind in ("postgres", "sqlite"):
        names.append(lake.catalog_kind)
    if lake.on_s3:
        names.append("httpfs")
    return names


def lake_connection(lake: LakeWarehouse) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the extensions `lake` needs loaded."""
    return extension_connection(required_extensions(lake))


def _local(path: str, base_dir: Path) -> str:
    resolved = Path(path).expanduser()
    return str(resolved if resolved.is_absolute() else base_dir / resolved)


def catalog_target(lake: LakeWarehouse, base_dir: Path) -> str:
    """What follows `ducklake:` in the ATTACH string; file catalogs resolve against base_dir."""
    kind, _, rest = lake.catalog.partition(":")
    if kind == "postgres":
        return lake.catalog
    return f"{kind}:{_local(rest, base_dir)}"


def data_location(lake: LakeWarehouse, base_dir: Path) -> str:
    """The data path with a trailing slash; a local folder is resolved and created."""
    if lake.on_s3:
        return lake.data_path.rstrip("/") + "/"
    folder = Path(_local(lake.data_path, base_dir))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder) + os.sep


def attach_statement(
    lake: LakeWarehouse,
    base_dir: Path,
    *,
    read_only: bool = False,
    snapshot_version: int | None = None,
    alias: str = LAKE_ALIAS,
    inline: bool = False,
) -> str:
    """The ATTACH statement (no secret in it): what an analyst types, less the secrets.

    `inline`: small inserts stay in the catalog (`inline_rows`), as the sync and build write.
    """
    options = [f"data_path {literal(data_location(lake, base_dir))}"]
    if lake.metadata_schema:
        options.append(f"metadata_schema {literal(lake.metadata_schema)}")
    if read_only:
        options.append("read_only")
    elif inline and lake.inline_rows:
        options.append(f"data_inlining_row_limit {int(lake.inline_rows)}")
    if snapshot_version is not None:
        options.append(f"snapshot_version {int(snapshot_version)}")
    target = literal("ducklake:" + catalog_target(lake, base_dir))
    return f"attach {target} as {alias} ({', '.join(options)})"


def _secret(env: Mapping[str, str], variable: str, key: str) -> str:
    value = env.get(variable)
    if not value:
        raise SecretMissingError(
            f"warehouse.{key}: environment variable {variable} is not set "
            "(it must hold the secret; secrets are never read from the file)"
        )
    register_secret(value)
    return value


def create_secrets(
    con: duckdb.DuckDBPyConnection, lake: LakeWarehouse, env: Mapping[str, str]
) -> None:
    """Temporary secrets for the catalog password and the S3 keys, read from the environment."""
    if lake.catalog_kind == "postgres" and lake.catalog_password_env:
        password = _secret(env, lake.catalog_password_env, "catalog_password_env")
        # The unnamed secret is the postgres extension's default: it fills in the conninfo.
        con.execute(f"create temporary secret (type postgres, password {literal(password)})")
    if not lake.on_s3:
        return
    key_id, secret = (_secret(env, name, "data_path") for name in S3_KEY_ENV)
    region = lake.s3_region or next((env[v] for v in S3_REGION_ENV if env.get(v)), "us-east-1")
    options = [
        "type s3",
        f"key_id {literal(key_id)}",
        f"secret {literal(secret)}",
        f"region {literal(region)}",
        f"url_style {literal(lake.s3_url_style)}",
    ]
    token = env.get(S3_TOKEN_ENV)
    if token:
        register_secret(token)
        options.append(f"session_token {literal(token)}")
    if lake.s3_endpoint:
        scheme, sep, host = lake.s3_endpoint.partition("://")
        options.append(f"endpoint {literal((host if sep else lake.s3_endpoint).rstrip('/'))}")
        options.append(f"use_ssl {'false' if sep and scheme == 'http' else 'true'}")
    con.execute(f"create temporary secret ({', '.join(options)})")


def _first_line(error: Exception) -> str:
    return " ".join(str(error).strip().splitlines()[:1]) or type(error).__name__


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    lake: LakeWarehouse,
    *,
    base_dir: Path | None = None,
    read_only: bool = False,
    snapshot_version: int | None = None,
    env: Mapping[str, str] | None = None,
    alias: str = LAKE_ALIAS,
    inline: bool = False,
) -> None:
    """Load the extensions, create the secrets, attach the lake as `alias` and `USE` it."""
    base = base_dir or Path.cwd()
    load_extensions(con, required_extensions(lake))
    create_secrets(con, lake, os.environ if env is None else env)
    statement = attach_statement(
        lake,
        base,
        read_only=read_only,
        snapshot_version=snapshot_version,
        alias=alias,
        inline=inline,
    )
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        raise LakeError(
            f"warehouse.catalog {lake.catalog!r}: cannot attach the lake: {_first_line(exc)}"
        ) from None
    con.execute(f"use {alias}")


def connect_lake(
    lake: LakeWarehouse,
    *,
    base_dir: Path | None = None,
    read_only: bool = False,
    snapshot_version: int | None = None,
    env: Mapping[str, str] | None = None,
    inline: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the lake attached and selected."""
    con = lake_connection(lake)
    try:
        attach_lake(
            con,
            lake,
            base_dir=base_dir,
            read_only=read_only,
            snapshot_version=snapshot_version,
            env=env,
            inline=inline,
        )
    except BaseException:
        con.close()
        raise
    return con
