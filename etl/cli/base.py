"""The root click group, its context object and error handling, shared by every command."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Mapping
from typing import Any

import click
import duckdb

from etl.config import Config, load_config
from etl.errors import ShotlistError
from etl.redact import RedactingFilter, redact


class Context:
    """What every command receives: the config path given, loaded on first use."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


CONFIG_HELP = "Config file (default ./shotlist.toml, or $SHOTLIST_CONFIG)."


def _subcommand_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """`shotlist sync --config x.toml`: given after the subcommand, it wins over the group's."""
    obj = ctx.find_object(Context)
    if value is not None and obj is not None:
        obj.config_path = value


def config_option() -> click.Option:
    """The subcommand's `--config`: sets the path on the shared Context, passes no argument."""
    return click.Option(
        ["--config", "subcommand_config"],
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_subcommand_config,
        help=CONFIG_HELP,
    )


# The module that defines each top-level command (it adds the command to `cli` when imported).
# The root group imports a command's module only when that command is looked up (click's lazy
# group), so `shotlist sync` loads neither the report's matplotlib and openpyxl nor the models
# and simulators: importing every command module held 64 MB before a sync started. The names
# are text, resolved at lookup: command modules import this one, never the reverse.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "sync": ("etl.cli.sync_commands",),
    "runs": ("etl.cli.sync_commands",),
    "demo": ("etl.cli.demo_commands",),
    "build": ("etl.cli.model_commands",),
    "test": ("etl.cli.model_commands",),
    "docs": ("etl.cli.model_commands",),
    "query": ("etl.cli.model_commands",),
    "simulate": ("etl.cli.simulate_commands", "etl.cli.simulate_sartiq"),
    "report": ("etl.cli.report_commands",),
    "send": ("etl.cli.report_commands",),
    "run": ("etl.cli.report_commands",),
    "init": ("etl.cli.init_commands",),
    "listen": ("etl.cli.listen_commands",),
    "migrate": ("etl.cli.lake_commands",),
    "lake": ("etl.cli.lake_commands",),
}


class ShotlistGroup(click.Group):
    """Turns library errors into one redacted line and exit code 1, never a traceback.

    Every command added, at any depth, also takes `--config` (as dbt and most click tools do).
    `lazy` names the modules of commands not added yet (`COMMAND_MODULES`): listed, and
    imported when looked up.
    """

    group_class = type  # `cli.group()` makes a ShotlistGroup too

    def __init__(
        self, *args: Any, lazy: Mapping[str, tuple[str, ...]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for module in self.lazy.get(cmd_name, ()):
                importlib.import_module(module)
        return super().get_command(ctx, cmd_name)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = any(param.name == "subcommand_config" for param in cmd.params)
        if not isinstance(cmd, click.Group) and not taken:
            cmd.params.append(config_option())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShotlistError as exc:
            raise click.ClickException(redact(str(exc))) from None
        except duckdb.Error as exc:
            # DuckDB's own messages span lines (context, caret): keep the first.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise click.ClickException(redact(f"DuckDB: {first}")) from None


def _setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("etl")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


@click.group(
    cls=ShotlistGroup,
    lazy=COMMAND_MODULES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_path",
    envvar="SHOTLIST_CONFIG",
    type=click.Path(dir_okay=False),
    help=CONFIG_HELP,
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="shotlist-analytics")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Shotlist Analytics: sync studio platforms into DuckDB, model coverage, send reports.

    \b
    Example:
      shotlist sync grandshooting
      shotlist runs
    """
    _setup_logging(verbose)
    ctx.obj = Context(config_path)
