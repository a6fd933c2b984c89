"""Paginators: one small class per paging scheme, behind one protocol, picked in a declaration."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import httpx

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageRequest:
    """Query parameters (repeatable, in order) and headers of one page request."""

    params: Params = ()
    headers: tuple[tuple[str, str], ...] = ()
    index: int = 0

    def with_params(self, **updates: str) -> PageRequest:
        kept = tuple((k, v) for k, v in self.params if k not in updates)
        return replace(self, params=kept + tuple(updates.items()))

    def add_params(self, *pairs: tuple[str, str]) -> PageRequest:
        return replace(self, params=self.params + tuple(pairs))

    def with_headers(self, **updates: str) -> PageRequest:
        kept = tuple((k, v) for k, v in self.headers if k not in updates)
        return replace(self, headers=kept + tuple(updates.items()))


@dataclass
class Page:
    """What one response carried: the raw body, and the total the API announced (if any)."""

    body: Any
    total: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Paginator(Protocol):
    @property
    def page_size(self) -> int: ...

    @property
    def ceiling(self) -> int | None:
        """Highest offset the API accepts (None: unbounded); beyond it the engine pages by key."""
        ...

    def first(self, base: PageRequest) -> PageRequest: ...

    def parse(self, response: httpx.Response, body: Any) -> Page: ...

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None: ...

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        """Every request after `first` when the total is known, to fetch them concurrently."""
        ...


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    if value is None or not value.strip().lstrip("-").isdigit():
        return None
    return int(value)


@dataclass(frozen=True)
class OffsetHeaderPaginator:
    """Grand Shooting: the offset travels in a request header; totals in `X-Total-Count`."""

    page_size: int = 100
    ceiling: int | None = 10_000
    offset_header: str = "offset"
    total_header: str = "X-Total-Count"

    def first(self, base: PageRequest) -> PageRequest:
        return replace(base.with_headers(**{self.offset_header: "0"}), index=0)

    def parse(self, response: httpx.Response, body: Any) -> Page:
        return Page(body=body, total=_int_header(response, self.total_header))

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None:
        # Keep paging while pages are full: X-Total-Count is sometimes missing.
        if received < self.page_size:
            return None
        offset = (request.index + 1) * self.page_size
        if self.ceiling is not None and offset > self.ceiling:
            return None
        return replace(
            request.with_headers(**{self.offset_header: str(offset)}), index=request.index + 1
        )

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        pages = math.ceil(total / self.page_size)
        return [
            replace(first.with_headers(**{self.offset_header: str(i * self.page_size)}), index=i)
            for i in range(1, pages)
        ]


@dataclass(frozen=True)
class SkipLimitPaginator:
    """`skip`/`limit` query parameters; the envelope's count is not trusted as a total."""

    page_size: int = 100
    ceiling: int | None = None
    skip_param: str = "skip"
    limit_param: str = "limit"

    def first(self, base: PageRequest) -> PageRequest:
        return replace(
            base.with_params(**{self.skip_param: "0", self.limit_param: str(self.page_size)}),
            index=0,
        )

    def parse(self, response: httpx.Response, body: Any) -> Page:
        return Page(body=body, total=None)

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None:
        # A short or empty page is the last one.
        if received < self.page_size:
            return None
        skip = (request.index + 1) * self.page_size
        return replace(request.with_params(**{self.skip_param: str(skip)}), index=request.index + 1)

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        return []


@dataclass(frozen=True)
class PageNumberPaginator:
    """`page`/`limit` query parameters (pages from 1); `{data, total, nb_pages}` envelope."""

    page_size: int = 100
    ceiling: int | None = None
    page_param: str = "page"
    limit_param: str = "limit"
    total_key: str = "total"
    pages_key: str = "nb_pages"

    def first(self, base: PageRequest) -> PageRequest:
        return replace(
            base.with_params(**{self.page_param: "1", self.limit_param: str(self.page_size)}),
            index=0,
        )

    def parse(self, response: httpx.Response, body: Any) -> Page:
        total = body.get(self.total_key) if isinstance(body, dict) else None
        return Page(body=body, total=total if isinstance(total, int) else None)

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None:
        if received < self.page_size:
            return None
        pages = page.body.get(self.pages_key) if isinstance(page.body, dict) else None
        if isinstance(pages, int) and request.index + 1 >= pages:
            return None
        return replace(
            request.with_params(**{self.page_param: str(request.index + 2)}),
            index=request.index + 1,
        )

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        pages = math.ceil(total / self.page_size)
        return [
            replace(first.with_params(**{self.page_param: str(i + 1)}), index=i)
            for i in range(1, pages)
        ]


@dataclass(frozen=True)
class SinglePage:
    """An endpoint that answers everything in one response."""

    page_size: int = 0
    ceiling: int | None = None

    def first(self, base: PageRequest) -> PageRequest:
        return base

    def parse(self, response: httpx.Response, body: Any) -> Page:
        return Page(body=body, total=None)

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None:
        return None

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        return []
