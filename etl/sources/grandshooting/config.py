"""The `[sources.grandshooting]` config section: API address, token variable, accounts."""

from __future__ import annotations

from pydantic import Field

from etl.config_base import HttpConfig


class GrandShootingConfig(HttpConfig):
    base_url: str = "https://api.grand-shooting.com/v3"
    token_env: str = "GRANDSHOOTING_TOKEN"
    account_ids: list[int] = Field(default_factory=list)
    account_base_urls: dict[str, str] = Field(default_factory=dict)
    overlap_days: int = Field(default=1, ge=0)
