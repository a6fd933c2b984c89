"""Partial passes over child resources: re-read only the parents that may have changed.

A child resource with a `Reread` declaration remembers, per parent, the parent's version when
its children were last read (the warehouse's child reads), and with `touched_by` the touching
resource's watermark at that read. An incremental pass re-reads the parents that are new, whose
version moved, that a touching row moved since (listing other children, when the rows list
them) or that are not settled, then marks as deleted the children that vanished from the
parents it re-read and the children of parents that are gone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from etl.engine.context import PassContext, parent_link
from etl.engine.declarations import Reread

# The child-reads entry (not a parent key) holding the `touched_by` watermark of the last read.
TOUCHED_SINCE = "*touched-since*"


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _version_text(rule: Reread, state: dict[str, Any]) -> str:
    # One column keeps its plain text (the versions recorded before several were allowed).
    return "\x1f".join(_text(state.get(column)) for column in rule.version_columns)


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
    columns = [*rule.version_columns, *rule.settled]
    states = await ctx.call(wh.parent_versions, parent, ctx.scope_value, key, columns)
    seen = await ctx.call(wh.child_reads, ctx.source.name, ctx.scope, ctx.resource.name)
    touched: set[str] = set()
    # Touched parents whose touching rows list other children (None: no list to compare).
    differing: set[str] | None = None
    if rule.touched_by is not None:
        since = seen.get(TOUCHED_SINCE)
        if since is None:
            return parents  # never read under this rule: nothing to compare with
        touch = rule.touched_by
        await ctx.after(touch.resource)
        _, table = ctx.parent_table(touch.resource)
        touched = await ctx.call(
            wh.changed_keys,
            table,
            ctx.scope_value,
            touch.link,
            touch.cursor,
            datetime.fromisoformat(since),
        )
        if touch.members and touched:
            differing = await ctx.call(
                wh.members_differ,
                table,
                ctx.table,
                ctx.scope_value,
                touch.link,
                touch.cursor,
                datetime.fromisoformat(since),
                touch.members,
                touch.member_fields,
                link,
            )
    kept = []
    for row in parents:
        parent_key = str(row[key])
        state = states.get(parent_key, {})
        settled = all(state.get(col) in values for col, values in rule.settled.items())
        is_touched = parent_key in touched
        changed = is_touched if differing is None else parent_key in differing
        open_ = not settled and (rule.open_every_pass or is_touched)
        if seen.get(parent_key) != _version_text(rule, state) or changed or open_:
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
    if rule.touched_by is not None:
        # Its watermark is taken below: the one its pass ends with, not the one before.
        await ctx.after(rule.touched_by.resource)

    def write() -> int:
        states = wh.parent_versions(parent, ctx.scope_value, key, list(rule.version_columns))
        versions = {k: _version_text(rule, states.get(k, {})) for k in keys}
        if rule.touched_by is not None:
            # The touching rows' watermark now: later moves are what the next pass looks for.
            watermark, _ = wh.read_state(ctx.source.name, ctx.scope, rule.touched_by.resource)
            if watermark is not None:
                versions[TOUCHED_SINCE] = _text(watermark)
        wh.record_child_reads(ctx.source.name, ctx.scope, ctx.resource.name, versions)
        if ctx.mode == "full":
            return 0  # the engine's full-scan marking covers every parent
        return ctx.mark_vanished(link, parent, key, refreshed_keys=keys)

    deleted: int = await ctx.call(write)
    return deleted
