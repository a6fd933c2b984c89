"""`shotlist listen`: receive Grand Shooting webhooks, spool them, land them in the warehouse."""

from __future__ import annotations

import click

from etl.cli.base import Context, cli
from etl.webhooks.drain import paths
from etl.webhooks.service import listen_until_stopped
from etl.webhooks.spool import counts, opened


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8088, show_default=True, help="Port; 0 picks a free one.")
@click.option("--status", is_flag=True, help="Print the spool's messages by topic and exit.")
@click.pass_obj
def listen(obj: Context, host: str, port: int, status: bool) -> None:
    """Receive Grand Shooting webhooks on POST /hooks/grandshooting/<secret> until Ctrl-C.

    Each message is stored in the spool (data/webhooks.sqlite) before the 200, then landed in
    the raw tables every few seconds. The secret comes from $SHOTLIST_WEBHOOK_SECRET (or the
    variable `[webhooks] secret_env` names).

    \b
    Example:
      SHOTLIST_WEBHOOK_SECRET=$(openssl rand -hex 24) shotlist listen --port 8088
      shotlist listen --status
    """
    if status:
        _, spool_path = paths(obj.config)
        if not spool_path.exists():
            click.echo(f"{spool_path}: no spool yet (nothing received)")
            return
        with opened(spool_path) as con:
            for topic, outcome, n in counts(con):
                click.echo(f"{topic}: {n} {outcome}")
        return
    listen_until_stopped(obj.config, host, port, echo=click.echo)
