"""Paging of Kitsu's event log, which has no pages: newest first, `before` a timestamp."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx

from etl.engine.paginators import Page, PageRequest
from etl.engine.records import parse_api_datetime


@dataclass(frozen=True)
class EventsBeforePaginator:
    """`/data/events/last?limit=N`, then `before=<oldest created_at + 1s>` while pages are full.

    Zou's own cursor (`cursor_event_id`) asks for events strictly older than an event, which
    skips the rest of a second that spills over a page; asking again for that whole second
    re-reads a few events instead (landing dedupes them by id).
    """

    page_size: int = 1000
    ceiling: int | None = None
    limit_param: str = "limit"
    before_param: str = "before"

    def first(self, base: PageRequest) -> PageRequest:
        return replace(base.with_params(**{self.limit_param: str(self.page_size)}), index=0)

    def parse(self, response: httpx.Response, body: Any) -> Page:
        return Page(body=body, total=None)

    def next(self, request: PageRequest, page: Page, received: int) -> PageRequest | None:
        if received < self.page_size or not isinstance(page.body, list) or not page.body:
            return None
        oldest = min(parse_api_datetime(e.get("created_at")) for e in page.body)
        before = (oldest + timedelta(seconds=1)).isoformat(timespec="seconds")
        return replace(request.with_params(**{self.before_param: before}), index=request.index + 1)

    def plan(self, first: PageRequest, total: int) -> list[PageRequest]:
        return []
