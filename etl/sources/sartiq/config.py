"""The `[sources.sartiq]` config section: API address, credentials' variables, scopes."""

from __future__ import annotations

import uuid

from pydantic import Field, field_validator

from etl.config_base import HttpConfig


class SartiqConfig(HttpConfig):
    """Sartiq has no documented rate limit: 5 requests per second keeps the sync polite."""

    base_url: str = "https://api.sartiq.com/api/v1"
    # A static token wins; without it the password flow logs in with username and password.
    token_env: str = "SARTIQ_TOKEN"
    username_env: str = "SARTIQ_USERNAME"
    password_env: str = "SARTIQ_PASSWORD"
    token_path: str = "/login/access-token"
    organization_ids: list[str] = Field(default_factory=list)
    include_personal: bool = False
    page_size: int = Field(default=100, ge=1, le=1000)

    @field_validator("organization_ids")
    @classmethod
    def _uuids(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                uuid.UUID(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an organisation id (a UUID)") from None
        return values
