"""Each source's runtime takes its transport, retries, caps and batches from the config."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from etl.config import Config, parse_config
from etl.engine.client import RetryPolicy
from etl.engine.runtime import SourceRuntime
from etl.sources.grandshooting import source as grandshooting
from etl.sources.kitsu import source as kitsu
from etl.sources.sartiq import source as sartiq

COMMON = {
    "timeout": 12.5,
    "max_attempts": 3,
    "retry_budget": 40.0,
    "concurrency": 2,
    "rate_limit": 1.5,
    "page_cap": 77,
}
ORG = "6f1c1d52-8c5e-4c0f-9a57-2f4f2b7f0a11"
SOURCES: dict[str, tuple[Callable[[Config], SourceRuntime], str, dict[str, Any], timedelta]] = {
    "grandshooting": (
        grandshooting.runtime,
        "GRANDSHOOTING_TOKEN",
        {"overlap_days": 2, "resources": ["pictures"]},
        timedelta(days=2),
    ),
    "sartiq": (
        sartiq.runtime,
        "SARTIQ_TOKEN",
        {"organization_ids": [ORG], "resources": ["shootings"]},
        timedelta(0),
    ),
    "kitsu": (
        kitsu.runtime,
        "KITSU_TOKEN",
        {"base_url": "http://127.0.0.1:9/api", "overlap_days": 3, "resources": ["tasks"]},
        timedelta(days=3),
    ),
}


@pytest.fixture(autouse=True)
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for _, token_env, _, _ in SOURCES.values():
        monkeypatch.setenv(token_env, "a-token")


def bound(name: str, section: dict[str, Any], tmp_path: Path, **top: Any) -> SourceRuntime:
    config = parse_config({**top, "sources": {name: section}}, tmp_path / "shotlist.toml")
    return SOURCES[name][0](config)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_binding_takes_every_setting_from_the_section(name: str, tmp_path: Path) -> None:
    _, _, specific, overlap = SOURCES[name]
    runtime = bound(name, {**COMMON, **specific}, tmp_path, warehouse={"batch_rows": 250})
    assert runtime.source.name == name
    assert (runtime.timeout, runtime.concurrency, runtime.rate_limit, runtime.page_cap) == (
        12.5,
        2,
        1.5,
        77,
    )
    assert runtime.retry == RetryPolicy(max_attempts=3, budget=40.0)
    assert runtime.overlap == overlap
    assert runtime.resources == tuple(specific["resources"])
    assert runtime.batch_rows == 250


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_binding_defaults_select_every_resource(name: str, tmp_path: Path) -> None:
    specific = SOURCES[name][2]
    section = {k: v for k, v in specific.items() if k not in ("resources", "overlap_days")}
    runtime = bound(name, section, tmp_path)
    assert runtime.resources is None
    assert (runtime.timeout, runtime.concurrency, runtime.page_cap, runtime.batch_rows) == (
        30.0,
        8,
        200_000,
        5000,
    )
    assert runtime.retry == RetryPolicy(max_attempts=6, budget=300.0)
    assert runtime.rate_limit == (10.0 if name == "kitsu" else 5.0)
