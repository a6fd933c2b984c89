"""File guidelines (`data/guidelines.toml`): parsed strictly, loaded as `seeds.file_guidelines`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from etl.config import Config
from etl.models.errors import GuidelineError
from etl.models.paths import DEFAULT_GUIDELINES

MATCHERS = ("univers", "gamme", "family", "brand", "collection", "gender", "shooting_method")


class Spec(BaseModel):
    """What each image must meet; unset fields are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file_format: str | None = None
    width: int | None = Field(default=None, gt=0)
    height: int | None = Field(default=None, gt=0)
    icc_profile: str | None = None
    max_file_size_kb: float | None = Field(default=None, gt=0)
    resolution: float | None = Field(default=None, gt=0)
    # Accept images at least width x height (up to max_width when given) instead of exactly.
    authorize_larger: bool = False
    max_width: int | None = Field(default=None, gt=0)


class Guideline(BaseModel):
    """One `[[guideline]]`: which references it matches and what they must have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    univers: str | None = None
    gamme: str | None = None
    family: str | None = None
    brand: str | None = None
    collection: str | None = None
    gender: str | None = None
    shooting_method: str | None = None
    expected_images: int | None = Field(default=None, ge=0)
    required_views: list[str] = Field(default_factory=list)
    spec: Spec | None = None
    format_id: int | str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Guideline:
        if self.expected_images is None and not self.required_views:
            raise ValueError("expected_images: give expected_images or required_views")
        if self.expected_images is not None and self.expected_images < len(self.required_views):
            raise ValueError(
                f"expected_images: {self.expected_images} is fewer than the "
                f"{len(self.required_views)} required_views"
            )
        if self.spec is not None and self.format_id is not None:
            raise ValueError("format_id: give either spec or format_id, not both")
        return self

    @property
    def expected(self) -> int:
        return (
            self.expected_images if self.expected_images is not None else len(self.required_views)
        )


def guideline_path(config: Config) -> Path | None:
    """The file to read: the configured one (must exist), else the default one if present."""
    if config.guidelines.path is not None:
        path = config.resolve(config.guidelines.path)
        if not path.exists():
            where = config.path or "configuration"
            raise GuidelineError(f"{where}: guidelines.path: {path} does not exist")
        return path
    default = config.resolve(DEFAULT_GUIDELINES)
    return default if default.exists() else None


def _field_of(error: Any) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "value_error":
        # Our own checks start their message with the field name.
        message = message.removeprefix("Value error, ")
        field, _, rest = message.partition(": ")
        return f"{field}: {rest}" if rest else message
    value = error.get("input")
    got = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    what = "unknown key" if error.get("type") == "extra_forbidden" else message.lower()
    return f"{'.'.join(loc) or '(guideline)'}: {what}{got}"


def parse_guidelines(text: str, path: Path) -> list[Guideline]:
    """Validate the file; the first problem names the guideline (name and position) and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidelineError(f"{path}: not valid TOML: {exc}") from None
    unknown = [k for k in data if k != "guideline"]
    if unknown:
        raise GuidelineError(
            f"{path}: unknown top-level key {unknown[0]!r} (guidelines are [[guideline]] tables)"
        )
    entries = data.get("guideline", [])
    if not isinstance(entries, list):
        raise GuidelineError(f"{path}: guideline must be an array of tables ([[guideline]])")
    guidelines: list[Guideline] = []
    names: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        label = entry.get("name") if isinstance(entry, dict) else None
        who = f"guideline {label!r} (#{position})" if label else f"guideline #{position}"
        try:
            guideline = Guideline.model_validate(entry)
        except ValidationError as exc:
            raise GuidelineError(f"{path}: {who}: {_field_of(exc.errors()[0])}") from None
        if guideline.name in names:
            raise GuidelineError(f"{path}: {who}: name: another guideline has this name")
        names.add(guideline.name)
        guidelines.append(guideline)
    return guidelines


def read_guidelines(config: Config) -> tuple[Path | None, list[Guideline]]:
    path = guideline_path(config)
    if path is None:
        return None, []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GuidelineError(f"{path}: cannot read: {exc.strerror}") from None
    return path, parse_guidelines(text, path)


FILE_GUIDELINES_DDL = """create or replace table seeds.file_guidelines (
    guideline_order integer, name varchar,
    univers varchar, gamme varchar, family varchar, brand varchar, collection varchar,
    gender varchar, shooting_method varchar,
    expected_images integer, required_views varchar[],
    format_id varchar, file_format varchar, width bigint, height bigint, icc_profile varchar,
    max_file_size_kb double, resolution double, authorize_larger boolean, max_width bigint
)"""


def load_guidelines(con: duckdb.DuckDBPyConnection, guidelines: list[Guideline]) -> None:
    con.execute(FILE_GUIDELINES_DDL)
    rows = []
    for order, g in enumerate(guidelines, start=1):
        spec = g.spec or Spec()
        rows.append(
            (
                order,
                g.name,
                *(getattr(g, m) for m in MATCHERS),
                g.expected,
                list(g.required_views),
                None if g.format_id is None else str(g.format_id),
                spec.file_format,
                spec.width,
                spec.height,
                spec.icc_profile,
                spec.max_file_size_kb,
                spec.resolution,
                spec.authorize_larger,
                spec.max_width,
            )
        )
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into seeds.file_guidelines values ({marks})", rows)
