"""The `[webhooks]` section: where the receiver's secret and spool live, and its limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from etl.config_base import Section

SPOOL_NAME = "webhooks.sqlite"


class WebhooksConfig(Section):
    """Settings of `shotlist listen`; the URL secret itself is only ever read from `secret_env`."""

    secret_env: str = "SHOTLIST_WEBHOOK_SECRET"
    # Default: `webhooks.sqlite` next to the warehouse file.
    spool_path: Path | None = None
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1024, description="largest body accepted (413 above)"
    )
    drain_every: float = Field(default=2.0, gt=0, description="seconds between drains")
    batch_messages: int = Field(default=500, ge=1, description="messages per landing batch")
    keep_days: float = Field(default=7.0, gt=0, description="days applied messages are kept")
    # The own account's number as the vendor prints it in `account_id`: its events land in
    # scope 0, like the sync's rows. Unset: with no `account_ids`, every account is the own one.
    own_account_id: int | None = None


def spool_location(settings: WebhooksConfig, warehouse_path: Path) -> Path:
    """The spool file: the configured path, else next to the (resolved) warehouse."""
    if settings.spool_path is not None:
        return settings.spool_path
    return warehouse_path.with_name(SPOOL_NAME)
