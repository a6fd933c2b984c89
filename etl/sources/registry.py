"""Every source the toolkit knows, by name: its declaration and how config binds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from etl.config import Config
from etl.engine.declarations import Source
from etl.engine.runtime import SourceRuntime
from etl.sources import grandshooting
from etl.sources.kitsu import source as kitsu
from etl.sources.sartiq import source as sartiq


@dataclass(frozen=True)
class Registered:
    source: Source
    runtime: Callable[[Config], SourceRuntime]
    # Whether the config has a section for this source (unconfigured sources are not synced).
    configured: Callable[[Config], bool]


REGISTRY: dict[str, Registered] = {
    "grandshooting": Registered(
        grandshooting.SOURCE,
        grandshooting.runtime,
        lambda c: c.sources.grandshooting is not None,
    ),
    "sartiq": Registered(sartiq.SOURCE, sartiq.runtime, lambda c: c.sources.sartiq is not None),
    "kitsu": Registered(kitsu.SOURCE, kitsu.runtime, lambda c: c.sources.kitsu is not None),
}

SOURCES: dict[str, Source] = {name: entry.source for name, entry in REGISTRY.items()}


def get(name: str) -> Registered:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {name!r} (known: {known})") from None


def configured_names(config: Config) -> list[str]:
    return [name for name, entry in REGISTRY.items() if entry.configured(config)]
