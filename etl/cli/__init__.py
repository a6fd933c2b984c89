"""The `shotlist` command: a thin click layer over the library, one module per command group.

Command modules are imported when their command is looked up (`etl.cli.base.COMMAND_MODULES`),
so a command loads only the libraries it uses.
"""

from __future__ import annotations

from etl.cli.base import cli


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="shotlist")


__all__ = ["cli", "main"]
