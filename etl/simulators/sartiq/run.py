"""Runs the Sartiq simulator in the foreground for `shotlist simulate sartiq`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from etl.simulators.foreground import SimulatorError
from etl.simulators.foreground import serve_until_interrupted as serve_in_foreground
from etl.simulators.sartiq.server import SartiqSimulator


def serve_until_interrupted(
    sim: SartiqSimulator,
    *,
    host: str,
    port: int,
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
    token_source: str | None = None,
) -> None:
    """Serve `sim`, print where and what, and block until Ctrl-C (or `stop`).

    `token_source` names the accepted token on screen (a token from the environment is a
    secret: never printed); without it the simulator's own token is shown.
    """

    def describe(running: SartiqSimulator) -> Iterator[str]:
        yield f"Sartiq simulator listening on {running.base_url}"
        yield f"token: {token_source or running.token}"
        yield f"password flow: POST {running.base_url}/login/access-token as {running.username}"
        for org in [*running.organizations, None]:
            counts = {
                name: len(running.records(name, org))
                for name in ("products", "shootings", "looks", "shots")
            }
            label = f"organization_id={org}" if org else "personal"
            yield f"{label}: " + ", ".join(f"{n} {name}" for name, n in counts.items())
        faults = running.faults
        active = {
            "latency": faults.latency,
            "error_rate": faults.error_rate,
            "rate_limit_rate": faults.rate_limit_rate,
        }
        if any(active.values()):
            yield "faults: " + ", ".join(f"{k}={v:g}" for k, v in active.items() if v)

    serve_in_foreground(sim.serve, host, port, describe=describe, echo=echo, stop=stop)


__all__ = ["SimulatorError", "serve_until_interrupted"]
