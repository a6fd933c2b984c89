"""The `[sources]` table: one optional section per API, each defined in its package's config.py."""

from __future__ import annotations

from etl.config_base import Section
from etl.sources.grandshooting.config import GrandShootingConfig
from etl.sources.kitsu.config import KitsuConfig
from etl.sources.sartiq.config import SartiqConfig


class SourcesConfig(Section):
    """One field per API, named as its `[sources.<name>]` table and its registry entry."""

    grandshooting: GrandShootingConfig | None = None
    sartiq: SartiqConfig | None = None
    kitsu: KitsuConfig | None = None

    def configured(self) -> list[str]:
        """The sources that have a section, in declaration order (the others are not synced)."""
        return [name for name in type(self).model_fields if getattr(self, name) is not None]
