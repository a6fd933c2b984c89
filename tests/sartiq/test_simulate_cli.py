"""`shotlist simulate sartiq`: help text, and the foreground server it runs."""

from __future__ import annotations

import httpx

from etl.simulators.sartiq import SartiqSimulator
from etl.simulators.sartiq.run import serve_until_interrupted
from tests.simulators.foreground import help_of, running_in_thread


def test_simulate_sartiq_has_help_with_an_example() -> None:
    options, undocumented = help_of("simulate", "sartiq")
    assert "Example" in options
    assert "--organizations" in options
    assert undocumented == []


def test_simulate_sartiq_serves_until_stopped() -> None:
    sim = SartiqSimulator(seed=5, organizations=1)
    with running_in_thread(serve_until_interrupted, sim, host="127.0.0.1", port=0) as lines:
        answer = httpx.get(
            f"{sim.base_url}/shootings/",
            params={"organization_id": sim.organizations[0]},
            headers={"Authorization": f"Bearer {sim.token}"},
        )
        assert answer.status_code == 200
        assert len(answer.json()["data"]) == len(sim.records("shootings", sim.organizations[0]))
    assert lines[0] == f"Sartiq simulator listening on {sim.base_url}"
    assert lines[1] == f"token: {sim.token}"
    assert any(line.startswith("personal: ") for line in lines)


def test_simulate_sartiq_never_prints_a_token_from_the_environment() -> None:
    sim = SartiqSimulator.empty()
    sim.token = "token-from-env"
    with running_in_thread(
        serve_until_interrupted, sim, host="127.0.0.1", port=0, token_source="from $SARTIQ_TOKEN"
    ) as lines:
        answer = httpx.get(
            f"{sim.base_url}/shootings/", headers={"Authorization": "Bearer token-from-env"}
        )
        assert answer.status_code == 200
    assert "token: from $SARTIQ_TOKEN" in lines
    assert not any("token-from-env" in line for line in lines)
