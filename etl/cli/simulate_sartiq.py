"""`shotlist simulate sartiq`: the Sartiq backend API simulated on loopback."""

from __future__ import annotations

import os

import click

from etl.cli.simulate_commands import simulate
from etl.redact import register_secret
from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.run import serve_until_interrupted


@simulate.command("sartiq")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8766, show_default=True, help="Port; 0 picks a free one.")
@click.option("--seed", default=7, show_default=True, help="Seed of the generated data.")
@click.option(
    "--organizations",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Organisations to generate (each with its shootings in every phase).",
)
@click.option(
    "--products",
    default=24,
    show_default=True,
    type=click.IntRange(min=5),
    help="Products per organisation.",
)
@click.option(
    "--shootings",
    default=8,
    show_default=True,
    type=click.IntRange(min=1),
    help="Shootings per organisation.",
)
@click.option(
    "--latency", default=0.0, type=click.FloatRange(min=0), help="Seconds added to every request."
)
@click.option(
    "--error-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of requests answered 500."
)
@click.option(
    "--throttle-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of requests answered 429.",
)
@click.option(
    "--retry-after",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Retry-After seconds of the 429 answers.",
)
@click.option(
    "--token-env",
    default="SARTIQ_TOKEN",
    show_default=True,
    help="Environment variable holding the token to accept (else 'sartiq-sim-token').",
)
def sartiq(
    host: str,
    port: int,
    seed: int,
    organizations: int,
    products: int,
    shootings: int,
    latency: float,
    error_rate: float,
    throttle_rate: float,
    retry_after: float,
    token_env: str,
) -> None:
    """Serve a simulated Sartiq backend API (/api/v1) until Ctrl-C.

    Organisations, personal records, shootings in every phase, looks with shots, revisions,
    images and push records; bearer tokens and the password flow; read-only.

    \b
    Example:
      shotlist simulate sartiq --port 8766 --organizations 2
      curl -H 'Authorization: Bearer sartiq-sim-token' http://127.0.0.1:8766/api/v1/shootings/
    """
    sim = SartiqSimulator(
        seed, organizations=organizations, products_per_org=products, shootings_per_org=shootings
    )
    token = os.environ.get(token_env)
    if token:
        register_secret(token)
        sim.token = token
    sim.faults.latency = latency
    sim.faults.error_rate = error_rate
    sim.faults.rate_limit_rate = throttle_rate
    sim.faults.retry_after = retry_after
    serve_until_interrupted(sim, host=host, port=port, echo=click.echo)
