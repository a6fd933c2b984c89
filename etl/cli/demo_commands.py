"""`shotlist demo`: runs the whole job on the bundled simulator and says where results are."""

from __future__ import annotations

import click

from etl.cli.base import Context, cli
from etl.cli.sync_commands import summarise
from etl.demo import next_commands, run_demo
from etl.demo_days import DEFAULT_DAYS
from etl.engine.progress import default_progress


@cli.command()
@click.option("--references", default=2000, show_default=True, help="Catalog size to simulate.")
@click.option("--seed", default=42, show_default=True, help="Seed of the simulated catalog.")
@click.option(
    "--rate-limit",
    default=5.0,
    show_default=True,
    help="Requests per second of the first, full sync, as the real API allows (0: no limit).",
)
@click.option(
    "--days",
    default=DEFAULT_DAYS,
    type=click.IntRange(min=0),
    show_default=True,
    help="Simulated days of studio work after the first sync, each synced and built.",
)
@click.pass_obj
def demo(obj: Context, references: int, seed: int, rate_limit: float, days: int) -> None:
    """Sync simulated Grand Shooting and Sartiq accounts, build the models, write the report.

    The first sync is DAYS days in the past; each simulated day after it (photos validated,
    refused, reshot, new references) is synced and built, so the report compares this week
    with the last. The simulators listen on free loopback ports for the duration of the demo;
    the warehouse is the configured one (default data/warehouse.duckdb).

    \b
    Example:
      shotlist demo --references 500 --rate-limit 0 --days 8
    """
    result = run_demo(
        obj.config,
        references=references,
        seed=seed,
        rate_limit=rate_limit,
        days=days,
        progress=default_progress(),
        say=click.echo,
        first_sync=summarise,
    )
    click.echo("\nLoaded:")
    for name, count in result.tables:
        click.echo(f"  {name:<45} {count:>9,} rows")
    click.echo(f"\nwarehouse: {result.warehouse}")
    for label, path in result.outputs:
        click.echo(f"{label}: {path}")
    if result.ok:
        click.echo("\nNext:")
        for command, purpose in next_commands(obj.config, result.brand):
            click.echo(f"  {command}\n      {purpose}")
    if not result.ok:
        raise click.ClickException(f"demo incomplete: {', '.join(result.problems)}")
