"""`shotlist simulate ...`: bundled API simulators to run a demo or point any client at."""

from __future__ import annotations

import os

import click

from etl.cli.base import cli
from etl.redact import register_secret
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
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--references",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Catalog references per account (about 11 pictures each).",
)
@click.option("--seed", default=42, show_default=True, help="Seed of the generated catalog.")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    type=click.IntRange(min=1),
    help="A delegated account id to serve too (repeatable).",
)
@click.option(
    "--rate-limit",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Requests per second per token; 0 turns the limit off.",
)
@click.option(
    "--latency", default=0.0, type=click.FloatRange(min=0), help="Seconds added to every request."
)
@click.option(
    "--error-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of requests answered 500."
)
@click.option(
    "--burst-429-every",
    default=0,
    type=click.IntRange(min=0),
    help="Every Nth request answers 429.",
)
@click.option(
    "--retry-after",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Retry-After seconds of the 429 bursts (fractions allowed).",
)
@click.option(
    "--truncate-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of responses whose JSON body is cut half-way.",
)
@click.option(
    "--drop-total-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of list responses without X-Total-Count / X-Count.",
)
@click.option(
    "--mutate-while-paging",
    is_flag=True,
    help="Change and add rows on every picture/reference list request.",
)
@click.option(
    "--timeout-every",
    default=0,
    type=click.IntRange(min=0),
    help="Every Nth request hangs for --hang seconds.",
)
@click.option(
    "--hang",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a hanging request sleeps (set above the client timeout).",
)
@click.option("--fault-seed", default=0, show_default=True, help="Seed of the fault RNG.")
@click.option(
    "--token-env",
    default="GRANDSHOOTING_TOKEN",
    show_default=True,
    help="Environment variable holding the token to accept (else 'demo-token').",
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
) -> None:
    """Serve a simulated Grand Shooting API v3 until Ctrl-C.

    \b
    Example:
      shotlist simulate grandshooting --port 8765 --references 2000 --rate-limit 5
      curl -H 'Authorization: Bearer demo-token' http://127.0.0.1:8765/v3/picture
    """
    token = os.environ.get(token_env, "")
    if token:
        register_secret(token)
        source = f"from ${token_env}"
    else:
        token, source = DEMO_TOKEN, f"{DEMO_TOKEN} (set ${token_env} to choose one)"
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
    )
