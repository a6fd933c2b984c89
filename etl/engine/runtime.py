"""What a sync runs on and what it returns: bound sources, their scopes, per-resource results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from etl.engine.auth import Auth
from etl.engine.client import RetryPolicy
from etl.engine.declarations import Resource, Source
from etl.errors import ShotlistError


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Extract:
    """One scope of a source (an account, an organisation): where and as whom to read it."""

    scope: str
    base_url: str
    auth: Auth
    params: tuple[tuple[str, str], ...] = ()
    # The environment variable holding the credential, named in a "token rejected" message.
    secret_env: str | None = None


@dataclass
class SourceRuntime:
    """A source declaration bound to its configuration: ready to sync."""

    source: Source
    extracts: list[Extract]
    rate_limit: float = 5.0
    concurrency: int = 8
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    overlap: timedelta = timedelta(days=1)
    page_cap: int = 200_000
    resources: tuple[str, ...] | None = None
    transport: httpx.AsyncBaseTransport | None = None
    # Rows per landing transaction: smaller batches lose less work to a crash, larger are faster.
    batch_rows: int = 5_000

    def selected(self) -> list[Resource]:
        if self.resources is None:
            return list(self.source.resources)
        wanted = set(self.resources)
        unknown = wanted - {r.name for r in self.source.resources}
        if unknown:
            raise ShotlistError(
                f"{self.source.name}: unknown resource(s) {', '.join(sorted(unknown))}"
            )
        return [r for r in self.source.resources if r.name in wanted]


@dataclass
class ResourceResult:
    source: str
    scope: str
    resource: str
    mode: str = "full"
    status: str = "ok"
    pages: int = 0
    rows: int = 0
    quarantined: int = 0
    deleted: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Failed because its source stopped (rejected token, unreachable host): the cause is in
    # `SyncResult.stops`, said once, not once per resource.
    stopped: bool = False


@dataclass
class SyncResult:
    run_id: str
    results: list[ResourceResult] = field(default_factory=list)
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    seconds: float = 0.0
    # One line per source (scope) that stopped at once: a rejected token, an unreachable host.
    stops: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status in ("ok", "warning", "skipped") for r in self.results)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.results)
