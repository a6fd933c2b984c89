"""Loads and validates `shotlist.toml`; every problem becomes one line naming file and key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

from etl.config_base import Section
from etl.errors import ConfigError, SecretMissingError
from etl.lake.config import LakeWarehouse
from etl.redact import register_secret
from etl.sources.config import SourcesConfig
from etl.webhooks.config import WebhooksConfig

DEFAULT_CONFIG = Path("shotlist.toml")
CONFIG_ENV = "SHOTLIST_CONFIG"


class WarehouseConfig(Section):
    """The embedded default: one DuckDB file, one writer at a time."""

    kind: Literal["duckdb"] = Field(
        default="duckdb",
        description='or "ducklake": see the README, "When one machine is not enough"',
    )
    path: Path = Path("data/warehouse.duckdb")
    analytics_path: Path = Path("data/analytics.duckdb")
    batch_rows: int = Field(default=5000, ge=1, description="rows per landing transaction")


WAREHOUSE_KINDS = ("duckdb", "ducklake")


def _warehouse_kind(value: Any) -> str | None:
    """The `kind` of a `[warehouse]` table (absent: the file); None for an unknown kind."""
    kind = (
        value.get("kind", "duckdb") if isinstance(value, Mapping) else getattr(value, "kind", None)
    )
    return kind if kind in WAREHOUSE_KINDS else None


AnyWarehouse = Annotated[
    Annotated[WarehouseConfig, Tag("duckdb")] | Annotated[LakeWarehouse, Tag("ducklake")],
    Discriminator(_warehouse_kind),
]


class GuidelinesConfig(Section):
    """Where file guidelines come from; `source = "file"` makes the file win over API categories."""

    path: Path | None = None
    source: Literal["api", "file"] = "api"


class ScopeConfig(Section):
    """Which products coverage covers: every list given must match (empty = no filter)."""

    shotlists: list[str] = Field(default_factory=list)
    collections: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)


class SmtpConfig(Section):
    """Where report emails go out; the password is read from the `password_env` variable."""

    host: str
    port: int | None = Field(default=None, ge=1, le=65535, description="default by security")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from")
    timeout: float = Field(default=30.0, gt=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ReportProfileConfig(Section):
    """A named slice of the report: filters on coverage columns and who receives it."""

    title: str | None = None
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    collections: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    deliverables_sheet: bool | None = None


class ReportConfig(Section):
    out_dir: Path = Path("out/reports")
    stale_after_hours: float = Field(default=36.0, gt=0)
    deliverables_sheet: bool = True
    title: str = "Weekly shotlist report"
    # Profiles `shotlist run` renders (and sends when they have recipients); none = whole scope.
    run_profiles: list[str] = Field(default_factory=list)
    profiles: dict[str, ReportProfileConfig] = Field(default_factory=dict)
    # Collection -> the date it must be finished by; wins over the platforms' due dates.
    deadlines: dict[str, date] = Field(
        default_factory=dict,
        description="collection = YYYY-MM-DD: when it must be finished (marts.collection_pace)",
    )
    timezone: str | None = Field(
        default=None,
        description='IANA name such as "Europe/Paris" (default: the machine\'s zone)',
        examples=["Europe/Paris"],
    )
    locale: str = Field(
        default="en", description='thousands separator and decimal mark of numbers, e.g. "fr"'
    )
    max_attachment_mb: float = Field(
        default=10.0,
        gt=0,
        description="larger mails attach the workbook without Deliverables, or no workbook",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("unknown time zone name") from None
        return value


class Config(Section):
    """The whole configuration; `path` is where it was read from (None: built-in defaults)."""

    smtp: SmtpConfig | None = None
    report: ReportConfig = ReportConfig()

    warehouse: AnyWarehouse = WarehouseConfig()
    sources: SourcesConfig = SourcesConfig()
    guidelines: GuidelinesConfig = GuidelinesConfig()
    scope: ScopeConfig = ScopeConfig()
    webhooks: WebhooksConfig = WebhooksConfig()
    path: Path | None = None

    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, p: Path) -> Path:
        """Paths in the file are relative to the file's folder."""
        return p if p.is_absolute() else self.base_dir() / p


def _location(loc: tuple[Any, ...]) -> str:
    # A discriminated union puts its tag in the path (`warehouse.ducklake.catalog`): drop it.
    parts = [
        p
        for i, p in enumerate(loc)
        if not (i == 1 and loc[0] == "warehouse" and p in WAREHOUSE_KINDS)
    ]
    return ".".join(str(part) for part in parts) or "(top level)"


def _describe(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        value = error.get("input")
        kind = value.get("kind") if isinstance(value, Mapping) else None
        if kind is None:
            return "must be a table with a `kind` key"
        return f"kind must be one of {', '.join(repr(k) for k in WAREHOUSE_KINDS)} (got {kind!r})"
    value = error.get("input")
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    got = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    return f"{message.lower()}{'' if '(got ' in message else got}"


def parse_config(data: dict[str, Any], path: Path | None) -> Config:
    """Validate a decoded TOML document; the first problem is reported as one line."""
    try:
        config = Config.model_validate({**data, "path": path})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = path if path else "configuration"
        raise ConfigError(f"{where}: {_location(first['loc'])}: {_describe(first)}") from None
    return config


def load_config(path: str | Path | None = None, *, required: bool = False) -> Config:
    """Read the config from `path`, $SHOTLIST_CONFIG or ./shotlist.toml.

    Without any file the defaults apply, unless the caller says a file is required
    (an explicit path or $SHOTLIST_CONFIG always is).
    """
    explicit = path is not None or os.environ.get(CONFIG_ENV)
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    if not chosen.exists():
        if explicit or required:
            raise ConfigError(f"{chosen}: config file not found")
        return Config()
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot read: {exc.strerror}") from None
    return parse_config(data, chosen.resolve())


def secret_from_env(variable: str, *, config: Config, key: str) -> str:
    """Read a secret from the environment, registering it for redaction."""
    value = os.environ.get(variable)
    if not value:
        where = config.path if config.path else "configuration"
        raise SecretMissingError(
            f"{where}: {key}: environment variable {variable} is not set "
            "(it must hold the secret; secrets are never read from the file)"
        )
    register_secret(value)
    return value
