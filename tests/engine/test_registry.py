"""The registry and the `[sources]` table list the same APIs, and select the configured ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import parse_config
from etl.sources import registry
from etl.sources.config import SourcesConfig

ORG = "6f1c1d52-8c5e-4c0f-9a57-2f4f2b7f0a11"


def test_registry_names_match_the_config_sections() -> None:
    assert list(registry.REGISTRY) == list(SourcesConfig.model_fields)
    assert [entry.source.name for entry in registry.REGISTRY.values()] == list(registry.REGISTRY)


def test_registry_configured_names_are_the_sections_present(tmp_path: Path) -> None:
    sections = {
        "kitsu": {"base_url": "http://127.0.0.1:9/api"},
        "sartiq": {"organization_ids": [ORG]},
    }
    config = parse_config({"sources": sections}, tmp_path / "shotlist.toml")
    assert registry.configured_names(config) == ["sartiq", "kitsu"]
    assert registry.configured_names(parse_config({}, None)) == []


def test_registry_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as info:
        registry.get("shotgrid")
    assert info.value.args[0] == "unknown source 'shotgrid' (known: grandshooting, kitsu, sartiq)"
