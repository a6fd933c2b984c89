"""Partial passes over child resources: re-read only the parents that may have changed.

A child resource with a `Reread` declaration remembers, per parent, the parent's version when
its children were last read (the warehouse's child reads), and with `touched_by` the touching
resource's watermark at that read. An incremental pass re-reads the parents that are new, whose
version moved, that are not settled or that a touching row moved since, then marks as deleted
the children that vanished from the parents it re-read and the children of parents that are gone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from etl.engine.context import PassContext, parent_link
from etl.engine.declarations import Reread

# The child-reads entry (not a parent key) holding the `touched_by` watermark of the last read.
TOUCHED_SINCE = "*touched-since*"


def _version_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _rule(ctx: PassContext) -> Reread:
    rule = ctx.resource.reread
    assert rule is not None and ctx.resource.parent is not None
    return rule


async def select_parents(ctx: PassContext, parents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parents whose children this pass reads; sets the pass mode accordingly."""
    rule = _rule(ctx)
    assert ctx.resource.parent is not None
    parent_resource, parent = ctx.parent_table(ctx.resource.parent)
    key = parent_resource.primary_key[-1]
    link = parent_link(parent_resource, dict(ctx.resource.inherit))
    if ctx.full_refresh or link is None or not parents or key not in parents[0]:
        return parents
    wh = ctx.warehouse
    columns = [rule.version, *rule.settled]
    states = await ctx.call(wh.parent_versions, parent, ctx.scope_value, key, columns)
    seen = await ctx.call(wh.child_reads, ctx.source.name, ctx.scope, ctx.resource.name)
    touched: set[str] = set()
    if rule.touched_by is not None:
        since = seen.get(TOUCHED_SINCE)
        if since is None:
            return parents  # never read under this rule: nothing to compare with
        touch = rule.touched_by
        _, table = ctx.parent_table(touch.resource)
        touched = await ctx.call(
            wh.changed_keys,
            table,
            ctx.scope_value,
            touch.link,
            touch.cursor,
            datetime.fromisoformat(since),
        )
    kept = []
    for row in parents:
        state = states.get(str(row[key]), {})
        settled = all(state.get(col) in values for col, values in rule.settled.items())
        version = _version_text(state.get(rule.version))
        parent_key = str(row[key])
        if not settled or seen.get(parent_key) != version or parent_key in touched:
            kept.append(row)
    if len(kept) < len(parents):
        await ctx.mark_incremental()
    return kept


async def after_children(ctx: PassContext, parents: list[dict[str, Any]]) -> int:
    """Remember the versions read; on a partial pass, mark what vanished under those parents.

    Returns the rows marked deleted.
    """
    rule = _rule(ctx)
    assert ctx.resource.parent is not None
    parent_resource, parent = ctx.parent_table(ctx.resource.parent)
    key = parent_resource.primary_key[-1]
    link = parent_link(parent_resource, dict(ctx.resource.inherit))
    if link is None:
        return 0
    keys = [str(row[key]) for row in parents if key in row]
    wh = ctx.warehouse

    def write() -> int:
        states = wh.parent_versions(parent, ctx.scope_value, key, [rule.version])
        versions = {k: _version_text(states.get(k, {}).get(rule.version)) for k in keys}
        if rule.touched_by is not None:
            # The touching rows' watermark now: later moves are what the next pass looks for.
            watermark, _ = wh.read_state(ctx.source.name, ctx.scope, rule.touched_by.resource)
            if watermark is not None:
                versions[TOUCHED_SINCE] = _version_text(watermark)
        wh.record_child_reads(ctx.source.name, ctx.scope, ctx.resource.name, versions)
        if ctx.mode == "full":
            return 0  # the engine's full-scan marking covers every parent
        return ctx.mark_vanished(link, parent, key, refreshed_keys=keys)

    deleted: int = await ctx.call(write)
    return deleted
