"""`shotlist simulate ...`: bundled API simulators to run a demo or point any client at."""

from __future__ import annotations

import click

from etl.cli.base import cli
from etl.cli.simulate_options import (
    at_least_zero,
    every_nth,
    fault_options,
    fraction,
    how_many,
    listen_options,
    token_env_option,
)
from etl.simulators.foreground import accepted_token
from etl.simulators.grandshooting import CatalogSpec, Faults
from etl.simulators.grandshooting.run import DEMO_TOKEN, serve_until_interrupted


@cli.group()
def simulate() -> None:
    """Serve a simulated platform API on loopback (a seeded catalog, real HTTP).

    \b
    Example:
      shotlist simulate grandshooting --port 8765 --references 2000
    """


@simulate.command("grandshooting")
@listen_options(port=8765)
@how_many("--references", 2000, "Catalog references per account (about 11 pictures each).")
@click.option("--seed", default=42, show_default=True, help="Seed of the generated catalog.")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    type=click.IntRange(min=1),
    help="A delegated account id to serve too (repeatable).",
)
@at_least_zero("--rate-limit", 5.0, "Requests per second per token; 0 turns the limit off.")
@fault_options(
    every_nth("--burst-429-every", "Every Nth request answers 429."),
    fraction("--truncate-rate", "Share of responses whose JSON body is cut half-way."),
    fraction("--drop-total-rate", "Share of list responses without X-Total-Count / X-Count."),
    click.option(
        "--mutate-while-paging",
        is_flag=True,
        help="Change and add rows on every picture/reference list request.",
    ),
    every_nth("--timeout-every", "Every Nth request hangs for --hang seconds."),
    at_least_zero(
        "--hang", 5.0, "Seconds a hanging request sleeps (set above the client timeout)."
    ),
    click.option("--fault-seed", default=0, show_default=True, help="Seed of the fault RNG."),
)
@token_env_option("GRANDSHOOTING_TOKEN", DEMO_TOKEN)
@click.option(
    "--webhook-url",
    default=None,
    help="Deliver picture/reference changes here as Grand Shooting webhooks do.",
)
@click.option(
    "--webhook-interval",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between webhook deliveries per topic (the vendor's is 10).",
)
def grandshooting(
    host: str,
    port: int,
    references: int,
    seed: int,
    accounts: tuple[int, ...],
    rate_limit: float,
    latency: float,
    error_rate: float,
    burst_429_every: int,
    retry_after: float,
    truncate_rate: float,
    drop_total_rate: float,
    mutate_while_paging: bool,
    timeout_every: int,
    hang: float,
    fault_seed: int,
    token_env: str,
    webhook_url: str | None,
    webhook_interval: float,
) -> None:
    """Serve a simulated Grand Shooting API v3 until Ctrl-C.

    \b
    Example:
      shotlist simulate grandshooting --port 8765 --references 2000 --rate-limit 5
      curl -H 'Authorization: Bearer demo-token' http://127.0.0.1:8765/v3/picture
      shotlist simulate grandshooting --webhook-url http://127.0.0.1:8088/hooks/grandshooting/$SECRET
    """
    token, source = accepted_token(token_env, DEMO_TOKEN)
    faults = Faults(
        latency=latency,
        error_rate=error_rate,
        burst_429_every=burst_429_every,
        retry_after=retry_after,
        truncate_rate=truncate_rate,
        drop_total_rate=drop_total_rate,
        mutate_while_paging=mutate_while_paging,
        timeout_every=timeout_every,
        hang=hang,
        seed=fault_seed,
    )
    serve_until_interrupted(
        CatalogSpec(references=references, seed=seed, accounts=(0, *dict.fromkeys(accounts))),
        token=token,
        token_source=source,
        rate_limit=rate_limit,
        faults=faults,
        host=host,
        port=port,
        echo=click.echo,
        webhook_url=webhook_url,
        webhook_interval=webhook_interval,
    )
