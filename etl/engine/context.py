"""What a pass strategy (nested rows, re-read children) is given: a narrow view of one pass.

A strategy sees the warehouse through `call` (one warehouse operation at a time, off the event
loop), where its rows land, the scope, and a sink for pages of records; it never sees the
engine's paging, buffers or checkpoint. A strategy is an async function of a `PassContext`
that returns the rows it marked deleted (`nested.run_nested`, `reread.after_children`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from etl.engine.declarations import Resource, Source
from etl.engine.progress import Progress
from etl.engine.runtime import ResourceResult
from etl.warehouse.protocol import Warehouse
from etl.warehouse.tables import RawTable


class PageSink(Protocol):
    """Where a strategy puts records: built into rows, buffered, landed in batches."""

    async def add_page(
        self,
        records: Sequence[Any],
        inherit: dict[str, Any] | None = None,
        page_index: int = 0,
        total_pages: int | None = None,
        check_repeat: str | None = "",
    ) -> None: ...

    async def flush(self) -> None: ...


@dataclass
class PassContext:
    """One resource of one scope, during one pass."""

    warehouse: Warehouse
    # Runs `fn(*args, **kwargs)` (a warehouse operation) in the engine's one writer thread.
    call: Callable[..., Awaitable[Any]]
    source: Source
    resource: Resource
    table: RawTable
    scope: str
    scope_value: Any
    run_id: str
    full_refresh: bool
    pass_started: datetime
    label: str
    sink: PageSink
    progress: Progress
    # Only its mode is the strategy's business (read it as `mode`, change it by `mark_incremental`).
    result: ResourceResult
    # Waits for another resource's pass of this scope to end, before reading its rows.
    after: Callable[[str], Awaitable[None]]

    @property
    def mode(self) -> str:
        return self.result.mode

    def parent_table(self, name: str) -> tuple[Resource, RawTable]:
        parent = self.source.resource(name)
        return parent, RawTable(self.source, parent)

    def mark_vanished(
        self,
        link: str,
        parent: RawTable,
        parent_key: str,
        *,
        refreshed_keys: Sequence[str] | None = None,
        refreshed_run: str | None = None,
    ) -> int:
        """Blocking: mark this scope's rows gone from refreshed or vanished parents."""
        return self.warehouse.mark_vanished(
            self.table,
            self.scope_value,
            link,
            parent,
            parent_key,
            self.pass_started,
            refreshed_keys=refreshed_keys,
            refreshed_run=refreshed_run,
        )

    async def mark_incremental(self) -> None:
        """The pass reads only part of the scope: say so in its run row."""
        self.result.mode = "incremental"
        await self.call(
            self.warehouse.set_run_mode,
            self.run_id,
            self.source.name,
            self.scope,
            self.resource.name,
            "incremental",
        )


def parent_link(parent: Resource, inherit: dict[str, str]) -> str | None:
    """The child column holding the parent's key (None: the children cannot be told apart)."""
    key = parent.primary_key[-1]
    return next((child for child, field in inherit.items() if field == key), None)
