"""Grand Shooting query filters: `f=v`, repeats as OR, `gt:`/`lte:`... as AND, `in:`, sort_by."""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

OPERATORS = ("gte", "gt", "lte", "lt")


class FilterError(ValueError):
    """A query parameter the API would refuse: answered as a 400 naming the field."""


class Kind(Enum):
    """How a field's values compare: numbers by value, dates by day, lists by any element."""

    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    BOOL = "bool"
    NUMBERS = "numbers"
    STRINGS = "strings"
    OBJECT = "object"


_LIST_KINDS = {Kind.NUMBERS: Kind.NUMBER, Kind.STRINGS: Kind.STRING}


def getter(field: str) -> Callable[[Mapping[str, Any]], Any]:
    """Reads `field` from a row; `taginfo.label` reads nested objects."""
    if "." not in field:
        return lambda row: row.get(field)
    parts = field.split(".")

    def nested(row: Mapping[str, Any]) -> Any:
        value: Any = row
        for part in parts:
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    return nested


def _parse_scalar(field: str, kind: Kind, text: str) -> Any:
    if kind is Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise FilterError(f"{field}: {text!r} is not a number") from None
        if math.isnan(number):
            raise FilterError(f"{field}: {text!r} is not a number")
        return number
    if kind is Kind.DATE:
        day = text.strip()[:10]
        if len(day) != 10 or day[4] != "-" or day[7] != "-" or not day.replace("-", "").isdigit():
            raise FilterError(f"{field}: {text!r} is not a date (expected YYYY-MM-DD)")
        return day
    if kind is Kind.BOOL:
        if text.lower() not in ("true", "false", "1", "0"):
            raise FilterError(f"{field}: {text!r} is not a boolean (true or false)")
        return text.lower() in ("true", "1")
    return text


def _comparable(kind: Kind, value: Any) -> Any:
    """A row value in the form parsed filter values take (dates: the day, as YYYY-MM-DD)."""
    if value is None:
        return None
    if kind is Kind.DATE:
        return str(value)[:10]
    if kind is Kind.NUMBER:
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if kind is Kind.BOOL:
        return bool(value)
    return value if isinstance(value, str) else str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    try:
        if op == "gt":
            return bool(left > right)
        if op == "gte":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        return bool(left <= right)
    except TypeError:
        return False


@dataclass(frozen=True)
class FieldFilter:
    """Every condition on one field: a row matches if it equals one of `equals` (or matches a
    wildcard of `patterns`), when any are given, and satisfies every bound of `bounds`."""

    field: str
    kind: Kind
    equals: tuple[Any, ...] = ()
    patterns: tuple[str, ...] = ()
    bounds: tuple[tuple[str, Any], ...] = ()
    null: bool = False

    def _scalar_ok(self, kind: Kind, value: Any) -> bool:
        if kind is Kind.OBJECT:
            text = json.dumps(value, sort_keys=True) if value is not None else ""
            return any(str(v) in text for v in self.equals) if self.equals else True
        value = _comparable(kind, value)
        if self.equals or self.patterns:
            if value is None:
                return False
            if value not in self.equals and not any(
                fnmatch.fnmatchcase(str(value), p) for p in self.patterns
            ):
                return False
        if value is None:
            return not self.bounds
        return all(_compare(op, value, bound) for op, bound in self.bounds)

    def matches(self, value: Any) -> bool:
        if value is None or value == [] and self.kind in _LIST_KINDS:
            if self.null:
                return True
            return not (self.equals or self.patterns or self.bounds)
        if self.null and not (self.equals or self.patterns or self.bounds):
            return False
        element_kind = _LIST_KINDS.get(self.kind)
        if element_kind is not None:
            items = value if isinstance(value, list) else [value]
            return any(self._scalar_ok(element_kind, item) for item in items)
        return self._scalar_ok(self.kind, value)


@dataclass(frozen=True)
class Query:
    """A parsed query string: field filters (AND between fields), sort order, free search."""

    filters: tuple[FieldFilter, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    search: str | None = None

    def split(self, key: str) -> tuple[FieldFilter | None, Query]:
        """The filter on the primary key (served by bisection) and the rest of the query."""
        mine = next((f for f in self.filters if f.field == key), None)
        rest = tuple(f for f in self.filters if f.field != key)
        return mine, Query(rest, self.sort, self.search)

    def predicate(self) -> Callable[[Mapping[str, Any]], bool]:
        checks = [(getter(f.field), f.matches) for f in self.filters]
        search = self.search.lower() if self.search else None

        def keep(row: Mapping[str, Any]) -> bool:
            for read, ok in checks:
                if not ok(read(row)):
                    return False
            if search is not None:
                text = " ".join(
                    str(row.get(name, "")) for name in ("ref", "smalltext", "file_path", "brand")
                ).lower()
                return fnmatch.fnmatchcase(text, f"*{search}*")
            return True

        return keep


def _parse_sort(value: str, fields: Mapping[str, Kind]) -> list[tuple[str, bool]]:
    order: list[tuple[str, bool]] = []
    for part in value.split(","):
        # A literal '+' in a query string decodes to a space: both mean ascending.
        text = part.strip(" ")
        descending = text.startswith("-")
        name = text.lstrip("+-").strip()
        if not name:
            continue
        if name not in fields:
            raise FilterError(f"sort_by: unknown field {name!r}")
        order.append((name, descending))
    return order


def parse_query(
    pairs: Iterable[tuple[str, str]],
    fields: Mapping[str, Kind],
    *,
    ignore: Iterable[str] = (),
) -> Query:
    """Parse query pairs against the filterable `fields`; an unknown name is a FilterError."""
    skipped = set(ignore)
    grouped: dict[str, dict[str, Any]] = {}
    sort: list[tuple[str, bool]] = []
    search: str | None = None
    for name, raw in pairs:
        if name in skipped:
            continue
        if name == "sort_by":
            sort.extend(_parse_sort(raw, fields))
            continue
        if name == "search":
            search = raw.strip() or None
            continue
        if name == "search_wildcard":
            continue
        kind = fields.get(name)
        if kind is None:
            raise FilterError(f"{name}: unknown filter field")
        scalar = _LIST_KINDS.get(kind, kind)
        slot = grouped.setdefault(name, {"equals": [], "patterns": [], "bounds": [], "null": False})
        op, sep, operand = raw.partition(":")
        if sep and op in OPERATORS:
            if kind is Kind.OBJECT:
                raise FilterError(f"{name}: cannot compare an object with {op}:")
            slot["bounds"].append((op, _parse_scalar(name, scalar, operand)))
        elif sep and op == "in":
            for item in operand.split(","):
                if item != "":
                    slot["equals"].append(_parse_scalar(name, scalar, item))
        elif raw == "null":
            slot["null"] = True
        elif "*" in raw and scalar is Kind.STRING:
            slot["patterns"].append(raw)
        else:
            slot["equals"].append(_parse_scalar(name, scalar, raw))
    filters = tuple(
        FieldFilter(
            field=name,
            kind=fields[name],
            equals=tuple(slot["equals"]),
            patterns=tuple(slot["patterns"]),
            bounds=tuple(slot["bounds"]),
            null=slot["null"],
        )
        for name, slot in grouped.items()
    )
    return Query(filters=filters, sort=tuple(sort), search=search)


def sort_key(field: str, kind: Kind) -> Callable[[Mapping[str, Any]], Any]:
    """Sort key for rows by `field`: missing values first, then values of the field's kind."""
    read = getter(field)

    def key(row: Mapping[str, Any]) -> tuple[int, Any]:
        value = read(row)
        if value is None:
            return (0, 0)
        if kind is Kind.NUMBER:
            comparable = _comparable(kind, value)
            return (0, 0) if comparable is None else (1, comparable)
        if kind in (Kind.STRING, Kind.DATE):
            return (1, str(value))
        if kind is Kind.BOOL:
            return (1, bool(value))
        return (1, json.dumps(value, sort_keys=True))

    return key


def sort_rows(
    rows: list[dict[str, Any]], order: tuple[tuple[str, bool], ...], fields: Mapping[str, Kind]
) -> list[dict[str, Any]]:
    """Rows (already in primary-key order) sorted by `order`; ties keep primary-key order."""
    result = list(rows)
    for field, descending in reversed(order):
        result.sort(key=sort_key(field, fields[field]), reverse=descending)
    return result
