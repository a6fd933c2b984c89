"""Nested resources: rows exploded from an array of another resource's landed records.

Nothing is requested: the parent's `_raw` JSON already holds the nested records (a look's
shots, a shot's revisions...). A full pass explodes every live parent; an incremental pass only
the parents landed by the current run, then marks as deleted the rows that vanished from them
and the rows of parents that are gone.
"""

from __future__ import annotations

import json
from typing import Any

from etl.engine.context import PassContext, parent_link

PARENTS_PER_CHUNK = 500


def explode(raw: str, array: str, inherit: dict[str, str]) -> list[Any]:
    """The nested records of one parent, each given the parent fields named in `inherit`."""
    parent = json.loads(raw)
    items = parent.get(array) if isinstance(parent, dict) else None
    if not isinstance(items, list):
        return []
    copied = {column: parent.get(field) for column, field in inherit.items()}
    # The parent's key wins over a null or stale copy inside the nested record.
    return [{**item, **copied} if isinstance(item, dict) else item for item in items]


async def run_nested(ctx: PassContext) -> int:
    """Land the nested rows of one scope from the parent table; returns the rows marked deleted."""
    nested = ctx.resource.nested
    assert nested is not None
    parent_resource, parent = ctx.parent_table(nested.parent)
    key = parent_resource.primary_key[-1]
    inherit = dict(nested.inherit)
    link = parent_link(parent_resource, inherit)
    wh = ctx.warehouse
    has_rows = await ctx.call(wh.has_rows, ctx.table, ctx.scope_value)
    full = ctx.full_refresh or not has_rows or link is None
    if not full:
        await ctx.mark_incremental()
    ctx.progress.start(ctx.label, None)
    run_filter = None if full else ctx.run_id
    offset = 0
    while True:
        chunk = await ctx.call(
            wh.parent_records, parent, ctx.scope_value, key, run_filter, offset, PARENTS_PER_CHUNK
        )
        records = [item for raw in chunk for item in explode(raw, nested.array, inherit)]
        if records:
            await ctx.sink.add_page(records, None, check_repeat=None)
        offset += len(chunk)
        if len(chunk) < PARENTS_PER_CHUNK:
            break
    await ctx.sink.flush()
    if full or link is None:
        return 0
    deleted: int = await ctx.call(ctx.mark_vanished, link, parent, key, refreshed_run=ctx.run_id)
    return deleted
