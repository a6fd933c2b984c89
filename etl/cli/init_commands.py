"""`shotlist init`: writes a commented starter `shotlist.toml`."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.base import cli
from etl.starter import write_starter


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing shotlist.toml.")
def init(folder: Path, force: bool) -> None:
    """Write a starter shotlist.toml in FOLDER (default: here), every setting commented.

    Every section is shown with its defaults; secrets appear only as the names of the
    environment variables that hold them. An existing file is kept unless --force.

    \b
    Example:
      shotlist init
      shotlist init ~/shotlist && cd ~/shotlist && $EDITOR shotlist.toml
    """
    path = write_starter(folder, force=force)
    click.echo(f"wrote {path}")
    click.echo("next: uncomment the [sources.*] section of each platform you use, then")
    click.echo(f"      export its token variable and run `shotlist --config {path} sync`")
