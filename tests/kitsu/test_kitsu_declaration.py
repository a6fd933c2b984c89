"""Pieces of the Kitsu declaration that need no server: persons' fields, event-log paging."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from etl.config import parse_config
from etl.engine.paginators import Page, PageRequest
from etl.sources.kitsu.paging import EventsBeforePaginator
from etl.sources.kitsu.source import envelope, person_selector, runtime

PERSON = {
    "id": "p1",
    "first_name": "Ann",
    "last_name": "Artist",
    "full_name": "Ann Artist",
    "email": "ann@studio.example",
    "phone": "+33 1 23 45 67 89",
    "role": "user",
    "created_at": "2026-01-01T00:00:00",
    "updated_at": "2026-01-02T00:00:00",
}


def test_kitsu_persons_keep_names_only_by_default() -> None:
    assert person_selector()([PERSON]) == [
        {
            "id": "p1",
            "first_name": "Ann",
            "last_name": "Artist",
            "full_name": "Ann Artist",
            "created_at": "2026-01-01T00:00:00",
            "updated_at": "2026-01-02T00:00:00",
        }
    ]


def test_kitsu_persons_keep_configured_fields() -> None:
    [row] = person_selector(["email"])([PERSON])
    assert row["email"] == "ann@studio.example"
    assert "phone" not in row


def test_kitsu_envelope_accepts_pages_and_arrays() -> None:
    assert envelope({"data": [{"id": "a"}], "total": 1, "nb_pages": 1}) == [{"id": "a"}]
    assert envelope([{"id": "b"}]) == [{"id": "b"}]


def test_kitsu_event_log_pages_before_the_oldest_second() -> None:
    pager = EventsBeforePaginator(page_size=2)
    first = pager.first(PageRequest(params=(("name_suffixes", "delete"),)))
    assert first.params == (("name_suffixes", "delete"), ("limit", "2"))
    body = [
        {"id": "e2", "created_at": "2026-11-22T07:52:35"},
        {"id": "e1", "created_at": "2026-11-22T07:52:34"},
    ]
    page = pager.parse(httpx.Response(200, json=body), body)
    following = pager.next(first, page, len(body))
    assert following is not None
    # The whole oldest second is asked again: events sharing it are not skipped.
    assert dict(following.params)["before"] == "2026-11-22T07:52:35"
    assert pager.next(following, Page(body=body[:1]), 1) is None


def test_kitsu_runtime_lands_in_the_configured_batches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KITSU_TOKEN", "bot-token")
    kitsu = {"base_url": "http://127.0.0.1:9/api"}
    config = parse_config(
        {"warehouse": {"batch_rows": 250}, "sources": {"kitsu": kitsu}}, tmp_path / "shotlist.toml"
    )
    assert runtime(config).batch_rows == 250
