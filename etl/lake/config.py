"""The `[warehouse]` section of a lake: `kind = "ducklake"`, its catalog and its data path."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CATALOG_KINDS = ("postgres", "sqlite", "duckdb")


class LakeWarehouse(BaseModel):
    """A DuckLake: the catalog in a SQL database, the data as Parquet in a folder or on S3.

    Secrets never sit in the file: the catalog password comes from `catalog_password_env`, the
    S3 keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if set).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["ducklake"]
    catalog: str = Field(
        description='"postgres:<libpq conninfo>", "sqlite:<file>", "duckdb:<file>"'
    )
    catalog_password_env: str | None = None
    data_path: str = Field(description='"s3://bucket/prefix/" or a local folder')
    s3_endpoint: str | None = Field(
        default=None, description='S3-compatible store, "host:port" (https) or "http://host:port"'
    )
    s3_region: str | None = None
    s3_url_style: Literal["path", "vhost"] = "path"
    metadata_schema: str | None = Field(
        default=None, description="PostgreSQL schema of the catalog tables (several lakes, one db)"
    )
    batch_rows: int = Field(default=5000, ge=1, description="rows per landing batch")
    commit_seconds: float = Field(
        default=2.0,
        ge=0,
        description="a sync's batches, each with its checkpoint, share one lake commit for up "
        "to this long (0: a commit per batch); a kill loses at most that much fetching",
    )
    inline_rows: int = Field(
        default=1000,
        ge=0,
        description="inserts of fewer rows stay in the catalog, not one Parquet file each "
        "(raw and model tables always write files: their wide rows inline slowly)",
    )
    keep_snapshots_days: float | None = Field(
        default=None, gt=0, description="`shotlist lake maintain` expires older snapshots"
    )

    @field_validator("catalog")
    @classmethod
    def _catalog(cls, value: str) -> str:
        kind, sep, rest = value.partition(":")
        if not sep or kind not in CATALOG_KINDS or not rest.strip():
            forms = ", ".join(f'"{kind}:..."' for kind in CATALOG_KINDS)
            raise ValueError(f"must be one of {forms} (got {value!r})")
        if kind == "postgres" and "password" in rest.lower():
            raise ValueError("must not hold a password: name its variable in catalog_password_env")
        return value

    @field_validator("data_path")
    @classmethod
    def _data_path(cls, value: str) -> str:
        scheme, sep, _ = value.partition("://")
        if not value.strip():
            raise ValueError("must be an s3:// URL or a folder")
        if sep and scheme != "s3":
            raise ValueError(f"only s3:// URLs or a local folder (got {value!r})")
        return value

    @field_validator("s3_endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, sep, host = value.partition("://")
        if (sep and scheme not in ("http", "https")) or not (host if sep else value).strip("/"):
            raise ValueError(f'must be "host:port" or "http(s)://host:port" (got {value!r})')
        return value

    @property
    def catalog_kind(self) -> str:
        return self.catalog.partition(":")[0]

    @property
    def catalog_schema(self) -> str:
        """The schema of the catalog's tables in their database (DuckLake's default there)."""
        return self.metadata_schema or ("public" if self.catalog_kind == "postgres" else "main")

    @property
    def on_s3(self) -> bool:
        return self.data_path.startswith("s3://")
