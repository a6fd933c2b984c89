"""`shotlist report`, `shotlist send` and `shotlist run`: the weekly report and the cron job."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.base import Context, cli
from etl.pipeline import run_pipeline
from etl.report import send_report, write_report

_where = click.option(
    "--where",
    "where",
    multiple=True,
    metavar="COLUMN=VALUE",
    help="Keep products whose coverage COLUMN equals VALUE (repeat: same column = or).",
)
_collection = click.option(
    "--collection", "collections", multiple=True, help="Keep this collection (repeatable)."
)


@cli.command()
@click.argument("profile", required=False)
@click.option(
    "--format",
    "formats",
    default="xlsx,html",
    show_default=True,
    help="Comma-separated: xlsx, html.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: [report] out_dir).",
)
@_where
@_collection
@click.pass_obj
def report(
    obj: Context,
    profile: str | None,
    formats: str,
    out_dir: Path | None,
    where: tuple[str, ...],
    collections: tuple[str, ...],
) -> None:
    """Write the weekly report (Excel workbook and standalone HTML) for PROFILE or everything.

    \b
    Example:
      shotlist report --out out/
      shotlist report studio-a --format xlsx
      shotlist report --where brand=Acme --collection SS25
    """
    files = write_report(
        obj.config,
        profile,
        formats.split(","),
        out_dir,
        where=where,
        collections=collections,
    )
    for path in files:
        click.echo(str(path))


@cli.command()
@click.argument("profile", required=False)
@click.option("--to", "to", multiple=True, metavar="ADDRESS", help="Recipient (repeatable).")
@click.option("--dry-run", is_flag=True, help="Write the message as .eml instead of sending.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the workbook and .eml (default: [report] out_dir).",
)
@_where
@_collection
@click.pass_obj
def send(
    obj: Context,
    profile: str | None,
    to: tuple[str, ...],
    dry_run: bool,
    out_dir: Path | None,
    where: tuple[str, ...],
    collections: tuple[str, ...],
) -> None:
    """Email the weekly report: HTML with charts, a text part, the workbook attached.

    Recipients come from --to, else from the profile's `recipients`. The SMTP server is the
    config's [smtp] section; its password is read from the variable named by password_env.

    \b
    Example:
      shotlist send studio-a
      shotlist send --to lead@example.com --dry-run
    """
    outcome = send_report(
        obj.config,
        profile,
        to=to,
        where=where,
        collections=collections,
        dry_run=dry_run,
        out_dir=out_dir,
    )
    click.echo(f"{outcome.subject}")
    click.echo(str(outcome))


@cli.command()
@click.pass_obj
@click.pass_context
def run(ctx: click.Context, obj: Context) -> None:
    """Sync, build, report, and send (when configured): the job to schedule with cron.

    The steps run in order under the warehouse lock; a failed step stops the later ones.
    Profiles rendered: [report] run_profiles (default: the whole scope); a profile is sent
    when [smtp] is configured and the profile has recipients.

    \b
    Exit codes:
      0  every step succeeded
      1  configuration error (nothing ran)
      3  another shotlist process is writing the warehouse (nothing ran)
      4  sync failed      5  build failed (model or error-level data test)
      6  report failed    7  send failed

    \b
    Example (crontab, Mondays 06:00):
      0 6 * * 1  cd /srv/shotlist && .venv/bin/shotlist run >> run.log 2>&1
    """
    result = run_pipeline(obj.config)
    for step in result.steps:
        mark = "ok  " if step.ok else "FAIL"
        detail = f": {step.detail}" if step.detail else ""
        click.echo(f"{mark} {step.name} ({step.seconds:.1f}s){detail}", err=not step.ok)
    if not result.ok:
        click.echo(
            f"run stopped: {result.failed_step} failed (exit {int(result.exit_code)})", err=True
        )
    ctx.exit(int(result.exit_code))
