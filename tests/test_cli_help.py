"""Every `shotlist` command, at any depth, explains itself in --help with an example."""

from __future__ import annotations

import click
from click.testing import CliRunner

from etl.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
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
