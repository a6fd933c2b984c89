"""`shotlist simulate grandshooting`: help, and the foreground runner behind it."""

from __future__ import annotations

import re

import httpx
import pytest

from etl.redact import redact
from etl.simulators.foreground import accepted_token
from etl.simulators.grandshooting import CatalogSpec, Faults
from etl.simulators.grandshooting.run import SimulatorError, serve_until_interrupted
from tests.simulators.foreground import help_of, running_in_thread


def test_cli_simulate_commands_have_help() -> None:
    assert "Example:" in help_of("simulate")[0]
    options, undocumented = help_of("simulate", "grandshooting")
    assert "Example:" in options
    assert undocumented == []
    for flag in ("--references", "--rate-limit", "--error-rate", "--mutate-while-paging"):
        assert flag in options


def test_cli_runner_serves_until_stopped() -> None:
    with running_in_thread(
        serve_until_interrupted,
        spec=CatalogSpec(references=20, seed=1, accounts=(0, 7)),
        token="cli-token",
        token_source="from $TEST",
        rate_limit=0,
        faults=Faults(error_rate=0.1),
        host="127.0.0.1",
        port=0,
    ) as lines:
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


def test_accepted_token_from_the_environment_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_TEST_TOKEN", "env-token-1234")
    assert accepted_token("SIM_TEST_TOKEN", "fallback") == (
        "env-token-1234",
        "from $SIM_TEST_TOKEN",
    )
    assert redact("Bearer env-token-1234") == "Bearer ***"
    monkeypatch.setenv("SIM_TEST_TOKEN", "")
    assert accepted_token("SIM_TEST_TOKEN", "fallback") == (
        "fallback",
        "fallback (set $SIM_TEST_TOKEN to choose one)",
    )
