"""Helpers for the `shotlist simulate` tests: a foreground runner in a thread, and --help."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from click.testing import CliRunner

from etl.cli import cli


@contextmanager
def running_in_thread(run: Callable[..., None], *args: Any, **kwargs: Any) -> Iterator[list[str]]:
    """Call a `serve_until_interrupted` in a thread; yield the lines it echoed once it serves.

    The runner gets `echo` and `stop`; leaving the block stops it and checks that it ended.
    """
    lines: list[str] = []
    stop = threading.Event()
    ready = threading.Event()

    def echo(line: str) -> None:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            ready.set()

    thread = threading.Thread(target=run, args=args, kwargs={**kwargs, "echo": echo, "stop": stop})
    thread.start()
    try:
        assert ready.wait(10), lines
        yield lines
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def help_of(*names: str) -> tuple[str, list[str]]:
    """`shotlist <names> --help`, and the command's flags that text leaves out."""
    done = CliRunner().invoke(cli, [*names, "--help"])
    assert done.exit_code == 0, done.output
    command: click.Command = cli
    for name in names:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, name
        command = found
    flags = [flag for param in command.params for flag in param.opts if flag.startswith("--")]
    return done.output, [flag for flag in flags if flag not in done.output]
