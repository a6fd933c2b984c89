"""How a source is declared as data: its resources, paths, keys, paginator and cursor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from etl.engine.paginators import Paginator
from etl.engine.records import Record

# Turns one response body into the list of records it carries (an envelope, nested arrays...).
RecordSelector = Callable[[Any], list[dict[str, Any]]]


def body_as_list(body: Any) -> list[dict[str, Any]]:
    """The default selector: the body is the array of records."""
    if isinstance(body, list):
        return body
    raise ValueError(f"expected a JSON array, got {type(body).__name__}")


@dataclass(frozen=True)
class Cursor:
    """An incremental cursor: rows whose `field` is at or after the watermark minus the overlap.

    `server_filter` turns the lower bound into request parameters (None: the API has no
    such filter and the engine filters client-side on rows ordered by the cursor, descending).
    """

    field: str
    server_filter: Callable[[datetime], Mapping[str, str]] | None = None


@dataclass(frozen=True)
class KeyRange:
    """How to page and split a resource by its integer key (e.g. `picture_id=gt:123`)."""

    param: str
    sort_param: str
    sort_value: str
    sort_desc_value: str
    lower_inclusive: Callable[[int], str]
    lower_exclusive: Callable[[int], str]
    upper_exclusive: Callable[[int], str]


@dataclass(frozen=True)
class Nested:
    """Rows exploded from the `array` field of another resource's landed records (no request).

    `inherit` maps a column of the nested rows to a field of the parent record, so each row
    keeps its parent's key even when the API leaves it out.
    """

    parent: str
    array: str
    inherit: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Touch:
    """Parents another resource's rows touch: rows of `resource` carry the parent key in `link`
    and a parent is touched when one of them has its `cursor` at or after the last read.

    With `members`, the touching rows also list the parent's children (a JSON array of objects
    in that column): a touched parent then counts as changed only when a moved row lists other
    children than those landed, compared on `member_fields` (keys of those objects, and columns
    of the child resource)."""

    resource: str
    link: str
    cursor: str
    members: str | None = None
    member_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reread:
    """Re-read a child resource only for parents that may have changed.

    A parent is re-read when it is new, when its `version` (a column, or several) moved since
    its children were last read, when a row of `touched_by` moved since (with `members`: and
    lists other children), or when it is not `settled` (settled: every column named in
    `settled` holds one of the values listed) - on every pass, or with `open_every_pass` False
    only when touched. A full refresh re-reads every parent.
    """

    version: str | tuple[str, ...]
    settled: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    touched_by: Touch | None = None
    open_every_pass: bool = True

    @property
    def version_columns(self) -> tuple[str, ...]:
        return (self.version,) if isinstance(self.version, str) else self.version


@dataclass(frozen=True)
class Resource:
    """One endpoint landing in one raw table, `raw.<source>__<name>`."""

    name: str
    path: str
    model: type[Record]
    primary_key: tuple[str, ...]
    paginator: Paginator | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    selector: RecordSelector = body_as_list
    cursor: Cursor | None = None
    key_range: KeyRange | None = None
    # A child resource is fetched once per row of its parent; `{name}` placeholders in `path`
    # are filled from the parent row, and `inherit` copies parent columns onto each child.
    parent: str | None = None
    inherit: Mapping[str, str] = field(default_factory=dict)
    # An optional resource that the account lacks (404) or may not read (403) is skipped.
    optional: bool = False
    description: str = ""
    # Rows taken from a parent's nested array instead of an endpoint (see `Nested`).
    nested: Nested | None = None
    # For child resources: which parents to re-read on an incremental sync (see `Reread`).
    reread: Reread | None = None

    def table(self, source: str) -> str:
        return f"{source}__{self.name}"

    @property
    def starts_after(self) -> tuple[str, ...]:
        """Resources whose pass must end before this one starts (its parent's rows).

        A `touched_by` resource is waited for only where its rows are read (`reread.py`): a
        pass that re-reads every parent fetches meanwhile, keeping the rate limit busy.
        """
        names = [self.parent, self.nested.parent if self.nested else None]
        return tuple(n for n in names if n)


@dataclass(frozen=True)
class Source:
    """A platform: its resources in the order they are synced, and the scope column of its rows.

    `scope_column` names the column that says which account/organisation a row was extracted
    for (Grand Shooting: `account_id`); it is part of every table's key.
    """

    name: str
    resources: tuple[Resource, ...]
    scope_column: str
    scope_type: str = "VARCHAR"

    def resource(self, name: str) -> Resource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        known = ", ".join(r.name for r in self.resources)
        raise KeyError(f"unknown resource {name!r} of {self.name} (known: {known})")
