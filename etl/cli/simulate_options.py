"""Click options the `shotlist simulate` commands share: where to listen, which token, faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])
Option = Callable[[Command], Command]


def stacked(*options: Option[Command]) -> Option[Command]:
    """Several options as one decorator; `--help` lists them in the order given."""

    def apply(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def fraction(flag: str, help: str) -> Option[Any]:
    """A share of requests, from 0 (off, the default) to 1."""
    return click.option(flag, default=0.0, type=click.FloatRange(0, 1), help=help)


def every_nth(flag: str, help: str) -> Option[Any]:
    """Every Nth request; 0 (the default) turns it off."""
    return click.option(flag, default=0, type=click.IntRange(min=0), help=help)


def at_least_zero(flag: str, default: float, help: str) -> Option[Any]:
    """A non-negative number (seconds, a rate); a non-zero default is shown in `--help`."""
    return click.option(
        flag, default=default, show_default=bool(default), type=click.FloatRange(min=0), help=help
    )


def how_many(flag: str, default: int, help: str, *, minimum: int = 0) -> Option[Any]:
    """A size of the generated data (references, organisations...), its default shown."""
    return click.option(
        flag, default=default, show_default=True, type=click.IntRange(min=minimum), help=help
    )


def listen_options(port: int) -> Option[Any]:
    """`--host` and `--port` (0 picks a free one)."""
    return stacked(
        click.option(
            "--host", default="127.0.0.1", show_default=True, help="Interface to listen on."
        ),
        click.option("--port", default=port, show_default=True, help="Port; 0 picks a free one."),
    )


def token_env_option(variable: str, default_token: str) -> Option[Any]:
    """`--token-env`: the variable holding the token to accept instead of `default_token`."""
    return click.option(
        "--token-env",
        default=variable,
        show_default=True,
        help=f"Environment variable holding the token to accept (else '{default_token}').",
    )


def fault_options(throttle: Option[Any], *more: Option[Any]) -> Option[Any]:
    """`--latency`, `--error-rate`, the simulator's 429 switch, `--retry-after`, then `more`."""
    return stacked(
        at_least_zero("--latency", 0.0, "Seconds added to every request."),
        fraction("--error-rate", "Share of requests answered 500."),
        throttle,
        at_least_zero(
            "--retry-after", 1.0, "Retry-After seconds of the 429 answers (fractions allowed)."
        ),
        *more,
    )
