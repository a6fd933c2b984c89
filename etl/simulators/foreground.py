"""Runs a bundled simulator in the foreground for `shotlist simulate`: listen, describe, Ctrl-C."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from typing import TypeVar

from etl.errors import ShotlistError
from etl.redact import register_secret

Running = TypeVar("Running")


class SimulatorError(ShotlistError):
    """The simulator could not start (port taken, bad size...)."""


def accepted_token(token_env: str, default: str) -> tuple[str, str]:
    """The token to accept, `$token_env`'s (registered for redaction) or `default`; and how to
    name it on screen without printing a secret."""
    token = os.environ.get(token_env, "")
    if token:
        register_secret(token)
        return token, f"from ${token_env}"
    return default, f"{default} (set ${token_env} to choose one)"


def serve_until_interrupted(
    serve: Callable[[str, int], AbstractContextManager[Running]],
    host: str,
    port: int,
    *,
    describe: Callable[[Running], Iterable[str]],
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Serve on `host`:`port`, print `describe`'s lines, and block until Ctrl-C (or `stop`)."""
    with ExitStack() as stack:
        try:
            running = stack.enter_context(serve(host, port))
        except OSError as exc:
            raise SimulatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        for line in describe(running):
            echo(line)
        echo("Press Ctrl-C to stop.")
        stopping = stop or threading.Event()
        try:
            # Short waits, not one long one: a Ctrl-C that the OS hands to another thread is
            # only acted on when the main thread wakes up.
            while not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            echo("stopped")


__all__ = ["SimulatorError", "accepted_token", "serve_until_interrupted"]
