"""Writes a config back as TOML, for the `shotlist` child processes a tool starts."""

from __future__ import annotations

import json
from typing import Any

from etl.config import Config

SECTIONS = ("warehouse", "sources", "guidelines", "report", "scope")


def toml_text(data: dict[str, Any], prefix: str = "") -> str:
    """TOML of nested tables of scalars and lists (JSON's strings are TOML's basic strings)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(toml_text(value, f"{prefix}{key}."))
        elif value is not None:
            lines.append(f"{key} = {json.dumps(value)}")
    head = [f"[{prefix.rstrip('.')}]"] if prefix and lines else []
    return "\n".join([*head, *lines, *tables]) + "\n"


def config_toml(config: Config) -> str:
    """The sections a sync, build or report reads, as a `shotlist.toml` would hold them."""
    data = {
        name: getattr(config, name).model_dump(mode="json", exclude_none=True, by_alias=True)
        for name in SECTIONS
    }
    return toml_text(data)
