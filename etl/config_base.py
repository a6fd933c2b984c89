"""Base models of config sections: strict tables and the HTTP settings every source shares.

It imports nothing of the project, so each source's `config.py` can build on it and
`etl.config` can assemble them all without an import cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A config table: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpConfig(Section):
    """Transport settings and caps shared by every source; each source may override them."""

    timeout: float = Field(default=30.0, gt=0, description="seconds per request")
    max_attempts: int = Field(default=6, ge=1, description="tries per request")
    retry_budget: float = Field(default=300.0, gt=0, description="seconds of retrying per request")
    concurrency: int = Field(default=8, ge=1, le=64, description="requests in flight")
    rate_limit: float = Field(default=5.0, ge=0, description="requests per second; 0 = off")
    page_cap: int = Field(default=200_000, ge=1)
    resources: list[str] | None = None
