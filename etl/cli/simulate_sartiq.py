"""`shotlist simulate sartiq`: the Sartiq backend API simulated on loopback."""

from __future__ import annotations

import click

from etl.cli.simulate_commands import simulate
from etl.cli.simulate_options import (
    fault_options,
    fraction,
    how_many,
    listen_options,
    token_env_option,
)
from etl.simulators.foreground import accepted_token
from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.run import serve_until_interrupted


@simulate.command("sartiq")
@listen_options(port=8766)
@click.option("--seed", default=7, show_default=True, help="Seed of the generated data.")
@how_many(
    "--organizations", 2, "Organisations to generate (each with its shootings in every phase)."
)
@how_many("--products", 24, "Products per organisation.", minimum=5)
@how_many("--shootings", 8, "Shootings per organisation.", minimum=1)
@fault_options(fraction("--throttle-rate", "Share of requests answered 429."))
@token_env_option("SARTIQ_TOKEN", "sartiq-sim-token")
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
    sim.token, source = accepted_token(token_env, sim.token)
    sim.faults.latency = latency
    sim.faults.error_rate = error_rate
    sim.faults.rate_limit_rate = throttle_rate
    sim.faults.retry_after = retry_after
    serve_until_interrupted(sim, host=host, port=port, echo=click.echo, token_source=source)
