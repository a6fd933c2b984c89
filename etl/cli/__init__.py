"""The `shotlist` command: a thin click layer over the library, one module per command group."""

from __future__ import annotations

from etl.cli.base import cli

# Each module below adds its commands to `cli` when imported.
from etl.cli import sync_commands  # noqa: E402,F401  isort: skip
from etl.cli import demo_commands  # noqa: E402,F401  isort: skip
from etl.cli import model_commands  # noqa: E402,F401  isort: skip
from etl.cli import simulate_commands  # noqa: E402,F401  isort: skip
from etl.cli import simulate_sartiq  # noqa: E402,F401  isort: skip
from etl.cli import report_commands  # noqa: E402,F401  isort: skip
from etl.cli import init_commands  # noqa: E402,F401  isort: skip
from etl.cli import listen_commands  # noqa: E402,F401  isort: skip


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="shotlist")


__all__ = ["cli", "main"]
