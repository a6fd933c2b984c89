"""The `[sources.kitsu]` config section: server address with its prefix, credentials' variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from etl.config_base import HttpConfig


class KitsuConfig(HttpConfig):
    """A self-hosted Zou: its API behind nginx is usually `https://<host>/api`."""

    base_url: str = Field(description="Zou's API root, prefix included (…/api behind nginx)")
    # A bot token wins; without it the toolkit logs in with email and password.
    token_env: str = "KITSU_TOKEN"
    email_env: str = "KITSU_EMAIL"
    password_env: str = "KITSU_PASSWORD"
    # Names the server in the `instance` column of every row (several Kitsus, one warehouse).
    instance: str = Field(default="kitsu", min_length=1)
    # Only open productions by default; closed ones too with all_projects = true.
    all_projects: bool = False
    # "events": read `*:delete` events (needs manager rights); "reconcile": only a
    # --full-refresh notices deletions (rows that vanished get _deleted_at).
    deletions: Literal["events", "reconcile"] = "events"
    # Person fields landed besides id and names (e.g. ["email"]); none by default.
    person_fields: list[str] = Field(default_factory=list)
    rate_limit: float = Field(default=10.0, ge=0, description="requests per second; 0 = off")
    page_size: int = Field(default=100, ge=1, le=1000)
    overlap_days: int = Field(default=1, ge=0)
