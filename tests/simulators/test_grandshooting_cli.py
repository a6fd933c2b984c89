"""`shotlist simulate grandshooting`: help, and the foreground runner behind it."""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.simulators.grandshooting import CatalogSpec, Faults
from etl.simulators.grandshooting.run import SimulatorError, serve_until_interrupted


def test_cli_simulate_commands_have_help() -> None:
    runner = CliRunner()
    for args in (["simulate", "--help"], ["simulate", "grandshooting", "--help"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0
        assert "Example:" in result.output
    options = runner.invoke(cli, ["simulate", "grandshooting", "--help"]).output
    for flag in ("--references", "--rate-limit", "--error-rate", "--mutate-while-paging"):
        assert flag in options


def test_cli_runner_serves_until_stopped() -> None:
    lines: list[str] = []
    stop = threading.Event()
    ready = threading.Event()

    def echo(line: str) -> None:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            ready.set()

    runner = threading.Thread(
        target=serve_until_interrupted,
        kwargs={
            "spec": CatalogSpec(references=20, seed=1, accounts=(0, 7)),
            "token": "cli-token",
            "token_source": "from $TEST",
            "rate_limit": 0,
            "faults": Faults(error_rate=0.1),
            "host": "127.0.0.1",
            "port": 0,
            "echo": echo,
            "stop": stop,
        },
    )
    runner.start()
    try:
        assert ready.wait(10)
        match = re.search(r"(http://127\.0\.0\.1:\d+/v3)", lines[0])
        assert match
        response = httpx.get(
            f"{match.group(1)}/reference",
            params={"account_id": "7"},
            headers={"Authorization": "Bearer cli-token"},
        )
        assert response.status_code in (200, 500)
        assert "20 references" in lines[2] and lines[3].startswith("account_id=7: 20 references")
        assert "faults: error_rate=0.1" in lines
        assert not any("cli-token" in line for line in lines)
    finally:
        stop.set()
        runner.join(10)
    assert not runner.is_alive()


def test_cli_runner_port_in_use_is_one_line_error() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SimulatorError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve_until_interrupted(
                CatalogSpec(references=5),
                token="t",
                token_source="t",
                rate_limit=0,
                faults=Faults(),
                host="127.0.0.1",
                port=port,
                echo=lambda line: None,
            )
