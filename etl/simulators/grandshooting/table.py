"""Rows of one resource kept sorted by integer key: bisected key ranges, cached filters, paging."""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from etl.simulators.grandshooting.filters import FieldFilter, Kind, Query, sort_rows

Row = dict[str, Any]
_CACHE_SIZE = 8  # views of a 200k-row table weigh a few MB each


def _key_bounds(ids: list[int], key_filter: FieldFilter) -> tuple[int, int]:
    """Index range [lo, hi) of `ids` (sorted) that satisfies every bound of `key_filter`."""
    lo, hi = 0, len(ids)
    for op, bound in key_filter.bounds:
        if op == "gte":
            lo = max(lo, bisect.bisect_left(ids, bound))
        elif op == "gt":
            lo = max(lo, bisect.bisect_right(ids, bound))
        elif op == "lt":
            hi = min(hi, bisect.bisect_left(ids, bound))
        else:
            hi = min(hi, bisect.bisect_right(ids, bound))
    return lo, hi


class Table:
    """Copy-on-write rows: a changed row is replaced by a new dict, never edited in place, so a
    page being serialised outside the catalog lock never sees a half-applied change."""

    def __init__(self, key: str, fields: Mapping[str, Kind], rows: list[Row]) -> None:
        self.key = key
        self.fields = fields
        self.rows = sorted(rows, key=lambda r: r[key])
        self.ids: list[int] = [r[key] for r in self.rows]
        # Highest key ever used: like a database sequence, a deleted key is never reused.
        self._high_water = self.ids[-1] if self.ids else 0
        self.version = 0
        # Filtered (and sorted) views by (version, query): paging through one filter costs one
        # scan, then a bisection per page.
        self._cache: OrderedDict[Any, tuple[list[int], list[Row]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.rows)

    def _position(self, key: int) -> int | None:
        i = bisect.bisect_left(self.ids, key)
        return i if i < len(self.ids) and self.ids[i] == key else None

    def get(self, key: int) -> Row | None:
        i = self._position(key)
        return None if i is None else self.rows[i]

    def next_key(self) -> int:
        """The key a new row gets: above every key ever used, deleted ones included."""
        return self._high_water + 1

    def replace(self, row: Row) -> None:
        i = self._position(row[self.key])
        if i is None:
            raise KeyError(row[self.key])
        self.rows[i] = row
        self.version += 1

    def append(self, row: Row) -> None:
        if row[self.key] <= self._high_water:
            raise ValueError(f"new {self.key} {row[self.key]} is not above {self._high_water}")
        self._high_water = row[self.key]
        self.rows.append(row)
        self.ids.append(row[self.key])
        self.version += 1

    def remove(self, key: int) -> None:
        i = self._position(key)
        if i is None:
            raise KeyError(key)
        del self.rows[i]
        del self.ids[i]
        self.version += 1

    def _cached(self, token: Any) -> tuple[list[int], list[Row]] | None:
        hit = self._cache.get((self.version, token))
        if hit is not None:
            self._cache.move_to_end((self.version, token))
        return hit

    def _store(self, token: Any, view: tuple[list[int], list[Row]]) -> None:
        self._cache[(self.version, token)] = view
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def _filtered(self, rest: Query) -> tuple[list[int], list[Row]]:
        if not rest.filters and rest.search is None:
            return self.ids, self.rows
        token = ("filter", rest.filters, rest.search)
        view = self._cached(token)
        if view is None:
            keep = rest.predicate()
            rows = [r for r in self.rows if keep(r)]
            view = ([r[self.key] for r in rows], rows)
            self._store(token, view)
        return view

    def _key_slice(self, ids: list[int], rows: list[Row], key_filter: FieldFilter) -> list[Row]:
        lo, hi = _key_bounds(ids, key_filter)
        if key_filter.null:
            return []
        if key_filter.equals or key_filter.patterns:
            picked: list[Row] = []
            for wanted in sorted(set(key_filter.equals)):
                i = bisect.bisect_left(ids, wanted, lo, max(lo, hi))
                if i < hi and ids[i] == wanted:
                    picked.append(rows[i])
            return picked
        return rows[lo:hi] if hi > lo else []

    def select(self, query: Query) -> list[Row]:
        """Every row matching `query`, in its order (default: key ascending)."""
        key_filter, rest = query.split(self.key)
        ids, rows = self._filtered(rest)
        if key_filter is not None:
            rows = self._key_slice(ids, rows, key_filter)
        order = query.sort
        if not order or order == ((self.key, False),):
            return rows
        if order == ((self.key, True),):
            return rows[::-1]
        if key_filter is None:
            token = ("sort", rest.filters, rest.search, order)
            view = self._cached(token)
            if view is None:
                ordered = sort_rows(rows, order, self.fields)
                view = ([], ordered)
                self._store(token, view)
            return view[1]
        return sort_rows(rows, order, self.fields)

    def page(self, query: Query, offset: int, limit: int) -> tuple[int, list[Row]]:
        """(total matching, rows[offset:offset+limit]) without copying more than needed."""
        key_filter, rest = query.split(self.key)
        simple = not query.sort or query.sort == ((self.key, False),)
        if simple and (key_filter is None or not (key_filter.equals or key_filter.null)):
            ids, rows = self._filtered(rest)
            lo, hi = (0, len(ids)) if key_filter is None else _key_bounds(ids, key_filter)
            total = max(0, hi - lo)
            start = lo + offset
            return total, rows[start : min(hi, start + limit)] if start < hi else []
        selected = self.select(query)
        return len(selected), selected[offset : offset + limit]
