"""Every `shotlist` command, at any depth, explains itself in --help with an example."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from etl.cli import cli
from etl.cli.base import COMMAND_MODULES


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
        else:
            found.append(path)
    return found


def test_every_command_has_help_with_an_example() -> None:
    commands = all_commands(cli)
    # The commands the README documents are all there.
    expected = {"sync", "runs", "demo", "build", "test", "docs", "query", "report", "send", "run"}
    assert expected <= {path[0] for path in commands}
    assert ("simulate", "grandshooting") in commands and ("simulate", "sartiq") in commands
    runner = CliRunner()
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"{' '.join(path)} --help has no example"


def test_every_command_module_is_declared_for_lazy_loading() -> None:
    # Every command a module adds is one the root group lists before loading it.
    all_commands(cli)
    assert set(cli.commands) == set(COMMAND_MODULES)


def test_sync_command_loads_neither_report_nor_models_nor_simulators() -> None:
    # In a fresh interpreter: `shotlist sync` imports only what a sync uses.
    code = (
        "import sys, click; from etl.cli import cli; "
        "assert cli.get_command(click.Context(cli), 'sync') is not None; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'openpyxl', 'jinja2', 'pyarrow', 'polars') "
        "or m.startswith(('etl.report', 'etl.models', 'etl.simulators'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
