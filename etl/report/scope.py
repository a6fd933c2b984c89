"""What slice of the catalog a report covers: filters from the CLI or a named profile."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from etl.config import Config
from etl.report.errors import ReportError


@dataclass(frozen=True)
class ReportScope:
    """Filters on `marts.shotlist_coverage` columns: values of one column are OR-ed, columns AND-ed.

    `profile` is the profile name (None: ad hoc or whole scope), used in file names and titles.
    """

    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    profile: str | None = None
    title: str | None = None
    recipients: tuple[str, ...] = ()
    deliverables_sheet: bool | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.where)

    def label(self) -> str:
        """The filters as a person reads them: `brand = Acme; collection = SS25 or FW25`."""
        if not self.where:
            return "all products in scope"
        return "; ".join(f"{key} = {' or '.join(values)}" for key, values in self.where.items())

    def slug(self) -> str:
        if self.profile:
            return _slugify(self.profile)
        if not self.where:
            return "all"
        return _slugify("-".join(v for values in self.where.values() for v in values))[:60]


def _slugify(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in cleaned.split("-") if part) or "report"


def parse_where(items: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """`["brand=Acme", "brand=Zed", "collection=SS25"]` -> {brand: (Acme, Zed), collection: ...}."""
    where: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ReportError(f"--where {item!r}: expected COLUMN=VALUE, e.g. brand=Acme")
        where.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in where.items()}


def _merge(*parts: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, list[str]] = {}
    for part in parts:
        for key, values in part.items():
            bucket = merged.setdefault(key, [])
            bucket.extend(v for v in values if v not in bucket)
    return {k: tuple(v) for k, v in merged.items() if v}


def resolve_scope(
    config: Config,
    profile: str | None = None,
    where: Iterable[str] = (),
    collections: Iterable[str] = (),
) -> ReportScope:
    """A profile's filters, narrowed by any `--where` / `--collection` given on the command line."""
    extra = _merge(parse_where(where), {"collection": list(collections)})
    if profile is None:
        return ReportScope(where=extra)
    settings = config.report.profiles.get(profile)
    if settings is None:
        known = ", ".join(sorted(config.report.profiles)) or "none configured"
        where_ = config.path or "configuration"
        raise ReportError(
            f"{where_}: report profile {profile!r} not found in [report.profiles] (known: {known})"
        )
    configured = {
        key: (value,) if isinstance(value, str) else tuple(value)
        for key, value in settings.where.items()
    }
    base = _merge(configured, {"collection": settings.collections})
    # Command-line filters on a column the profile already filters replace the profile's values.
    combined = {**base, **extra}
    return ReportScope(
        where=combined,
        profile=profile,
        title=settings.title,
        recipients=tuple(settings.recipients),
        deliverables_sheet=settings.deliverables_sheet,
    )
