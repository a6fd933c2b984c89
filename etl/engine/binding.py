"""Binds a source declaration to its config section: transport, retries, caps, landing batches."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from etl.config_base import HttpConfig
from etl.engine.client import RetryPolicy
from etl.engine.declarations import Source
from etl.engine.runtime import Extract, SourceRuntime

if TYPE_CHECKING:
    # Only read (`[warehouse] batch_rows`), never imported at run time: the engine sits below
    # the assembled config, which imports every source.
    from etl.config import Config


def bind_runtime(
    source: Source,
    extracts: list[Extract],
    settings: HttpConfig,
    config: Config,
    *,
    overlap: timedelta,
) -> SourceRuntime:
    """`source` read over `extracts` as its `[sources.<name>]` section says (rate, concurrency,
    timeout, retries, page cap, chosen resources), landing in `[warehouse]` batches.

    `overlap` is how far before the last watermark an incremental sync starts again.
    """
    return SourceRuntime(
        source=source,
        extracts=extracts,
        rate_limit=settings.rate_limit,
        concurrency=settings.concurrency,
        timeout=settings.timeout,
        retry=RetryPolicy(max_attempts=settings.max_attempts, budget=settings.retry_budget),
        overlap=overlap,
        page_cap=settings.page_cap,
        resources=tuple(settings.resources) if settings.resources else None,
        batch_rows=config.warehouse.batch_rows,
    )
