"""`shotlist demo`: runs the whole job on the bundled simulator and says where results are."""

from __future__ import annotations

import click

from etl.cli.base import Context, cli
from etl.cli.sync_commands import summarise
from etl.demo import run_demo
from etl.engine.progress import default_progress


@cli.command()
@click.option("--references", default=2000, show_default=True, help="Catalog size to simulate.")
@click.option("--seed", default=42, show_default=True, help="Seed of the simulated catalog.")
@click.option(
    "--rate-limit",
    default=5.0,
    show_default=True,
    help="Requests per second, as the real API allows (0: as fast as possible).",
)
@click.pass_obj
def demo(obj: Context, references: int, seed: int, rate_limit: float) -> None:
    """Sync a simulated Grand Shooting account, build the models and write the reports.

    The simulator listens on a free loopback port for the duration of the demo; the warehouse
    is the configured one (default data/warehouse.duckdb).

    \b
    Example:
      shotlist demo --references 500 --rate-limit 0
    """
    result = run_demo(
        obj.config,
        references=references,
        seed=seed,
        rate_limit=rate_limit,
        progress=default_progress(),
        say=click.echo,
    )
    summarise(result.sync)
    click.echo("\nLoaded:")
    for name, count in result.tables:
        click.echo(f"  {name:<45} {count:>9,} rows")
    click.echo(f"\nwarehouse: {result.warehouse}")
    for label, path in result.outputs:
        click.echo(f"{label}: {path}")
    if not result.ok:
        raise click.ClickException(f"demo incomplete: {', '.join(result.problems)}")
