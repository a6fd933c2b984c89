"""`shotlist simulate sartiq`: help text, and the foreground server it runs."""

from __future__ import annotations

import threading

import httpx
from click.testing import CliRunner

from etl.cli import cli
from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.run import serve_until_interrupted


def test_simulate_sartiq_has_help_with_an_example() -> None:
    done = CliRunner().invoke(cli, ["simulate", "sartiq", "--help"])
    assert done.exit_code == 0
    assert "Example" in done.output
    assert "--organizations" in done.output


def test_simulate_sartiq_serves_until_stopped() -> None:
    sim = SartiqSimulator(seed=5, organizations=1)
    lines: list[str] = []
    stop = threading.Event()
    ready = threading.Event()

    def echo(line: str) -> None:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            ready.set()

    thread = threading.Thread(
        target=serve_until_interrupted,
        args=(sim,),
        kwargs={"host": "127.0.0.1", "port": 0, "echo": echo, "stop": stop},
    )
    thread.start()
    try:
        assert ready.wait(10)
        answer = httpx.get(
            f"{sim.base_url}/shootings/",
            params={"organization_id": sim.organizations[0]},
            headers={"Authorization": f"Bearer {sim.token}"},
        )
        assert answer.status_code == 200
        assert len(answer.json()["data"]) == len(sim.records("shootings", sim.organizations[0]))
    finally:
        stop.set()
        thread.join(10)
    assert lines[0] == f"Sartiq simulator listening on {sim.base_url}"
    assert any(line.startswith("personal: ") for line in lines)
