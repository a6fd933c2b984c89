"""`shotlist sync` as a library call: the configured sources, bound and synced into the warehouse.

Orchestration sits here, above the engine: the engine syncs runtimes it is given into a
warehouse it is given, and knows nothing of the config file, the registry or the run lock.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from etl.config import Config
from etl.engine.progress import Progress
from etl.engine.runtime import SourceRuntime, SyncResult
from etl.engine.sync import sync
from etl.errors import ShotlistError
from etl.sources import registry
from etl.workspace import open_warehouse


def bind_sources(config: Config, sources: Sequence[str] | None = None) -> list[SourceRuntime]:
    """The runtimes of the named sources (default: every configured one)."""
    names = list(sources) if sources else registry.configured_names(config)
    if not names:
        raise ShotlistError(
            f"{config.path or 'configuration'}: no source configured "
            "(add a [sources.<name>] section)"
        )
    runtimes = []
    for name in names:
        try:
            entry = registry.get(name)
        except KeyError as exc:
            raise ShotlistError(str(exc.args[0])) from None
        runtimes.append(entry.runtime(config))
    return runtimes


def sync_sources(
    config: Config,
    sources: Sequence[str] | None = None,
    *,
    full_refresh: bool = False,
    progress: Progress | None = None,
) -> SyncResult:
    """Sync the named sources into the configured warehouse; the caller holds the run lock.

    On a lake the warehouse takes the lock of each source and scope synced here.
    """
    runtimes = bind_sources(config, sources)
    scopes = [(rt.source.name, extract.scope) for rt in runtimes for extract in rt.extracts]
    started = time.monotonic()
    with open_warehouse(config, scopes) as warehouse:
        result = sync(runtimes, warehouse, full_refresh=full_refresh, progress=progress)
    # Opening (a lake's attach and locks) and closing (a lake's last shared commit, a file's
    # checkpoint) are part of what the sync took: a lake's last rows are durable only then.
    result.seconds = time.monotonic() - started
    return result
