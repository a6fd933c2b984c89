"""`shotlist run`: steps in order, the first failure stops the rest, exit codes name the step."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.config import Config, parse_config
from etl.errors import AuthError
from etl.lock import read_lock
from etl.pipeline import ExitCode, run_pipeline


@dataclass
class Outcome:
    ok: bool
    error: str | None = None


class Steps:
    """Injected step functions that record the order they ran in."""

    def __init__(self, fail: str | None = None, crash: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail = fail
        self.crash = crash
        self.locked_during: list[bool] = []
        self.warehouse: Path | None = None

    def _run(self, name: str) -> Outcome:
        self.calls.append(name)
        if self.warehouse is not None:
            self.locked_during.append(read_lock(self.warehouse) is not None)
        if self.crash == name:
            raise AuthError("token rejected (401)")
        return Outcome(self.fail != name, f"{name} went wrong" if self.fail == name else None)

    def sync(self, config: Config) -> Outcome:
        return self._run("sync")

    def build(self, config: Config) -> Outcome:
        return self._run("build")

    def report(self, config: Config, profile: str | None) -> Sequence[Path]:
        self._run(f"report:{profile}")
        if self.fail == "report":
            raise ValueError("disk full")
        return [Path(f"out/{profile or 'all'}.xlsx")]

    def send(self, config: Config, profile: str | None) -> Any:
        self._run(f"send:{profile}")
        if self.fail == "send":
            from etl.report import SendError

            raise SendError("SMTP server x:587: cannot connect: Connection refused")
        return f"sent {profile}"

    def kwargs(self) -> dict[str, Any]:
        return {"sync": self.sync, "build": self.build, "report": self.report, "send": self.send}


@pytest.fixture
def pipeline_config(tmp_path: Path) -> Config:
    return parse_config(
        {
            "warehouse": {"path": str(tmp_path / "warehouse.duckdb")},
            "smtp": {"host": "127.0.0.1", "from": "r@x.test", "security": "none"},
            "report": {
                "run_profiles": ["a", "b"],
                "profiles": {"a": {"recipients": ["a@x.test"]}, "b": {}},
            },
        },
        tmp_path / "shotlist.toml",
    )


def test_pipeline_runs_every_step_in_order_under_the_lock(pipeline_config: Config) -> None:
    steps = Steps()
    steps.warehouse = pipeline_config.warehouse.path
    result = run_pipeline(pipeline_config, **steps.kwargs())
    assert result.exit_code == ExitCode.OK
    # Profile b has no recipients: rendered, not sent.
    assert steps.calls == ["sync", "build", "report:a", "report:b", "send:a"]
    assert all(steps.locked_during)
    assert [s.name for s in result.steps] == ["sync", "build", "report a", "report b", "send a"]
    assert result.files == [Path("out/a.xlsx"), Path("out/b.xlsx")]
    assert read_lock(pipeline_config.warehouse.path) is None


@pytest.mark.parametrize(
    ("fail", "code", "ran"),
    [
        ("sync", ExitCode.SYNC_FAILED, ["sync"]),
        ("build", ExitCode.BUILD_FAILED, ["sync", "build"]),
        ("report", ExitCode.REPORT_FAILED, ["sync", "build", "report:a"]),
        ("send", ExitCode.SEND_FAILED, ["sync", "build", "report:a", "report:b", "send:a"]),
    ],
)
def test_pipeline_failed_step_stops_the_rest(
    pipeline_config: Config, fail: str, code: ExitCode, ran: list[str]
) -> None:
    steps = Steps(fail=fail)
    result = run_pipeline(pipeline_config, **steps.kwargs())
    assert result.exit_code == code
    assert steps.calls == ran
    assert result.failed_step is not None and result.failed_step.startswith(fail)
    assert not result.steps[-1].ok and result.steps[-1].detail


def test_pipeline_step_exception_is_that_steps_failure(pipeline_config: Config) -> None:
    steps = Steps(crash="sync")
    result = run_pipeline(pipeline_config, **steps.kwargs())
    assert result.exit_code == ExitCode.SYNC_FAILED
    assert result.steps[0].detail == "token rejected (401)"


def test_pipeline_without_smtp_does_not_send(tmp_path: Path) -> None:
    config = parse_config({"warehouse": {"path": str(tmp_path / "w.duckdb")}}, None)
    steps = Steps()
    result = run_pipeline(config, **steps.kwargs())
    assert result.ok
    assert steps.calls == ["sync", "build", "report:None"]


HOLDER = """
import sys
from etl.lock import warehouse_lock
with warehouse_lock(sys.argv[1], "sync"):
    print("ready", flush=True)
    sys.stdin.read()
"""


def test_pipeline_exits_at_once_when_another_process_writes(pipeline_config: Config) -> None:
    warehouse = pipeline_config.warehouse.path
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        steps = Steps()
        result = run_pipeline(pipeline_config, **steps.kwargs())
        assert result.exit_code == ExitCode.LOCKED
        assert steps.calls == []
        assert f"pid {holder.pid}" in result.steps[0].detail
    finally:
        holder.kill()
        holder.wait()


def test_cli_run_exit_code_names_the_failed_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = Steps(fail="build")
    toml = tmp_path / "shotlist.toml"
    toml.write_text(f'[warehouse]\npath = "{tmp_path / "w.duckdb"}"\n', encoding="utf-8")
    # The command's one library call, with the sync and build steps injected.
    monkeypatch.setattr(
        "etl.cli.report_commands.run_pipeline",
        lambda config: run_pipeline(config, sync=steps.sync, build=steps.build),
    )
    result = CliRunner().invoke(cli, ["--config", str(toml), "run"])
    assert result.exit_code == 5
    assert "FAIL build" in result.output
    assert "run stopped: build failed (exit 5)" in result.output


def test_report_commands_have_help() -> None:
    for command in ("report", "send", "run"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output
