"""Every source the toolkit knows, by name: its declaration and how config binds it.

A new API is a package `etl/sources/<api>/` (`config.py` its section, `records.py` its rows,
`source.py` its declaration and `runtime`), registered by one entry here and the field of its
section in `etl/sources/config.py` (which sits below the engine, so it cannot import this).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from etl.config import Config
from etl.engine.declarations import Source
from etl.engine.runtime import SourceRuntime
from etl.sources.grandshooting import source as grandshooting
from etl.sources.kitsu import source as kitsu
from etl.sources.sartiq import source as sartiq


@dataclass(frozen=True)
class Registered:
    source: Source
    runtime: Callable[[Config], SourceRuntime]


REGISTRY: dict[str, Registered] = {
    "grandshooting": Registered(grandshooting.SOURCE, grandshooting.runtime),
    "sartiq": Registered(sartiq.SOURCE, sartiq.runtime),
    "kitsu": Registered(kitsu.SOURCE, kitsu.runtime),
}

SOURCES: dict[str, Source] = {name: entry.source for name, entry in REGISTRY.items()}


def get(name: str) -> Registered:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {name!r} (known: {known})") from None


def configured_names(config: Config) -> list[str]:
    """Registered sources with a `[sources.<name>]` section (unconfigured ones are not synced)."""
    configured = set(config.sources.configured())
    return [name for name in REGISTRY if name in configured]
