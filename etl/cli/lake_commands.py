"""`shotlist migrate` and `shotlist lake ...`: moving to a lake, reading it, keeping it small."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.base import Context, cli
from etl.config import load_config
from etl.lake.attach import attach_statement, connect_lake
from etl.lake.snapshots import find_published, maintain
from etl.migrate import check_direction, migrate
from etl.warehouse_kind import is_lake, lake_settings
from etl.workspace import describe, locked


@cli.command("migrate")
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Config of the lake to fill ([warehouse] kind = "ducklake").',
)
@click.pass_obj
def migrate_command(ctx: Context, target: Path) -> None:
    """Copy this config's warehouse file into an empty lake, history included, no re-sync.

    \b
    Example:
      shotlist migrate --to lake.toml && shotlist --config lake.toml build
    """
    lake = load_config(target, required=True)
    check_direction(ctx.config, lake)
    with locked(ctx.config, "migrate"), locked(lake, "migrate"):
        result = migrate(ctx.config, lake)
    click.echo(
        f"copied {len(result.tables)} tables, {result.rows:,} rows into {describe(lake)}; "
        f"run `shotlist --config {target} build` to make the views"
    )


@cli.group("lake")
def lake_group() -> None:
    """The lake warehouse: attach lines for analysts, retention and compaction."""


def _lake_config(ctx: Context) -> None:
    if not is_lake(ctx.config):
        raise click.ClickException('this command needs [warehouse] kind = "ducklake"')


@lake_group.command("attach")
@click.pass_obj
def attach_command(ctx: Context) -> None:
    """Print the lines an analyst runs to read the lake at the last published build.

    \b
    Example:
      shotlist lake attach
    """
    _lake_config(ctx)
    lake = lake_settings(ctx.config)
    base = ctx.config.base_dir()
    version = find_published(lake, base)
    extensions = ["ducklake"]
    if lake.catalog_kind in ("postgres", "sqlite"):
        extensions.append(lake.catalog_kind)
    if lake.on_s3:
        extensions.append("httpfs")
    click.echo("-- DuckDB 1.4.4 (duckdb CLI or Python); secrets from the environment, never here")
    for name in extensions:
        click.echo(f"load {name};")
    if lake.catalog_password_env:
        click.echo(
            f"create secret (type postgres, password getenv('{lake.catalog_password_env}'));"
        )
    if lake.on_s3:
        endpoint = f", endpoint '{lake.s3_endpoint}'" if lake.s3_endpoint else ""
        click.echo(
            "create secret (type s3, key_id getenv('AWS_ACCESS_KEY_ID'), "
            f"secret getenv('AWS_SECRET_ACCESS_KEY'), url_style '{lake.s3_url_style}'{endpoint});"
        )
    click.echo(attach_statement(lake, base, read_only=True, snapshot_version=version) + ";")
    click.echo("use lake;")
    click.echo(f"-- snapshot {version} is the last published build; drop SNAPSHOT_VERSION for live")


@lake_group.command("maintain")
@click.option("--dry-run", is_flag=True, help="List what would be expired; change nothing.")
@click.option(
    "--keep-days",
    type=float,
    default=None,
    help="Expire snapshots older than this (default: [warehouse] keep_snapshots_days).",
)
@click.pass_obj
def maintain_command(ctx: Context, dry_run: bool, keep_days: float | None) -> None:
    """Expire old snapshots (the last published build is kept), delete their files, compact.

    \b
    Example:
      shotlist lake maintain --keep-days 90
    """
    _lake_config(ctx)
    lake = lake_settings(ctx.config)
    with locked(ctx.config, "maintain"):
        con = connect_lake(lake, base_dir=ctx.config.base_dir())
        try:
            done = maintain(con, keep_days or lake.keep_snapshots_days, dry_run=dry_run)
        finally:
            con.close()
    verb = "would expire" if dry_run else "expired"
    click.echo(f"{verb} {done['expired']} snapshots, {done['files_deleted']} files deleted")
