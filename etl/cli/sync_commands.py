"""`shotlist sync` and `shotlist runs`: extract from the APIs, and show what past runs did."""

from __future__ import annotations

import click

from etl.cli.base import Context, cli
from etl.engine.progress import default_progress
from etl.engine.runtime import SyncResult
from etl.runs import counted, recent_runs
from etl.sync import sync_sources
from etl.webhooks.drain import DRAINER, WAIT_FOR_DRAINER, drain_before_sync
from etl.workspace import locked


def summarise(result: SyncResult) -> None:
    """One line per resource, then the totals; failures go to stderr.

    Resources a stopped source never got to (or met its one cause) are left out: the cause is
    said once, by `sync`, and the run log keeps the detail.
    """
    for r in result.results:
        if r.stopped:
            continue
        scope = f"[{r.scope}]" if r.scope not in ("", "0") else ""
        line = f"{r.source}.{r.resource}{scope}: {r.status}, {counted(r.rows, 'row')}, "
        line += counted(r.pages, "page")
        if r.deleted:
            line += f", {r.deleted} marked deleted"
        if r.quarantined:
            line += f", {r.quarantined} quarantined"
        if r.error:
            line += f" - {r.error}"
        elif r.warnings:
            line += f" - {'; '.join(r.warnings)}"
        click.echo(line, err=r.status == "failed")
    click.echo(
        f"run {result.run_id}: {result.rows} rows in {result.seconds:.2f}s, "
        f"{result.requests} requests, {result.throttled} throttled (429), "
        f"{result.retries} retries"
    )


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Re-read everything and mark rows that vanished from the API as deleted.",
)
@click.pass_obj
def sync(obj: Context, sources: tuple[str, ...], full_refresh: bool) -> None:
    """Extract the configured sources (or the SOURCES named) into the warehouse.

    Exits 0 only when every resource synced completely. Webhook events `shotlist listen`
    spooled are applied first; while its drainer holds the warehouse, this waits up to 10 s.

    \b
    Example:
      GRANDSHOOTING_TOKEN=... shotlist sync grandshooting
      shotlist sync --full-refresh
    """
    # The lock turns "another run is writing" into a clear message instead of a DuckDB error;
    # `listen`'s drainer holds it for a moment only, so that one is waited for.
    with locked(obj.config, "sync", wait=WAIT_FOR_DRAINER, wait_for=(DRAINER,)):
        drained = drain_before_sync(obj.config)
        if drained is not None and drained.messages:
            click.echo(f"webhooks applied first: {drained.summary()}")
        result = sync_sources(
            obj.config, sources or None, full_refresh=full_refresh, progress=default_progress()
        )
    summarise(result)
    if result.stops:
        raise click.ClickException("; ".join(dict.fromkeys(result.stops)))
    if not result.ok:
        failed = [f"{r.source}.{r.resource}" for r in result.results if r.status == "failed"]
        raise click.ClickException(f"sync incomplete: {', '.join(failed)} failed")


@cli.command()
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
@click.pass_obj
def runs(obj: Context, limit: int) -> None:
    """Show recent sync runs from meta.sync_runs, newest first.

    \b
    Example:
      shotlist runs --limit 5
    """
    for line in recent_runs(obj.config, limit):
        click.echo(line)
