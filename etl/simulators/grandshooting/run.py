"""Runs the simulator in the foreground for `shotlist simulate grandshooting`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict

from etl.simulators.foreground import SimulatorError
from etl.simulators.foreground import serve_until_interrupted as serve_in_foreground
from etl.simulators.grandshooting.catalog import CatalogSpec, generate_catalog
from etl.simulators.grandshooting.faults import Faults
from etl.simulators.grandshooting.server import GrandShootingSimulator, RunningServer
from etl.simulators.grandshooting.webhooks import DeliveryPolicy, WebhookSender, describe_url

DEMO_TOKEN = "demo-token"


def serve_until_interrupted(
    spec: CatalogSpec,
    *,
    token: str,
    token_source: str,
    rate_limit: float,
    faults: Faults,
    host: str,
    port: int,
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
    webhook_url: str | None = None,
    webhook_interval: float = 10.0,
) -> None:
    """Generate the catalog, serve it, print where, and block until Ctrl-C (or `stop`)."""
    try:
        catalog = generate_catalog(spec)
        simulator = GrandShootingSimulator(
            catalog, token=token, rate_limit=rate_limit, faults=faults
        )
    except ValueError as exc:
        raise SimulatorError(f"cannot generate the catalog: {exc}") from None

    def describe(server: RunningServer) -> Iterator[str]:
        yield f"Grand Shooting simulator listening on {server.base_url}"
        yield f"token: {token_source}"
        for account_id in catalog.account_ids:
            sizes = ", ".join(f"{n} {name}" for name, n in catalog.counts(account_id).items())
            label = "own account" if account_id == 0 else f"account_id={account_id}"
            yield f"{label}: {sizes}"
        yield f"rate limit: {f'{rate_limit:g} requests/s' if rate_limit else 'off'}"
        active = {k: v for k, v in asdict(faults).items() if v and k in _SWITCHES}
        if active:
            yield "faults: " + ", ".join(f"{k}={v}" for k, v in active.items())
        if webhook_url:
            yield f"webhooks: every {webhook_interval:g}s to {describe_url(webhook_url)}"

    if not webhook_url:
        serve_in_foreground(simulator.serve, host, port, describe=describe, echo=echo, stop=stop)
        return
    policy = DeliveryPolicy(interval=webhook_interval)
    with WebhookSender(webhook_url, catalog, policy):
        serve_in_foreground(simulator.serve, host, port, describe=describe, echo=echo, stop=stop)


_SWITCHES = {
    "latency",
    "error_rate",
    "burst_429_every",
    "truncate_rate",
    "drop_total_rate",
    "mutate_while_paging",
    "timeout_every",
}

__all__ = ["DEMO_TOKEN", "SimulatorError", "serve_until_interrupted"]
