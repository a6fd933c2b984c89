"""Every source the toolkit knows, by name: the sync engine, models and CLI look them up here."""

from __future__ import annotations

from etl.engine.declarations import Source
from etl.sources.grandshooting import SOURCE as GRANDSHOOTING

SOURCES: dict[str, Source] = {
    GRANDSHOOTING.name: GRANDSHOOTING,
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"unknown source {name!r} (known: {known})") from None
