"""Runs the Sartiq simulator in the foreground for `shotlist simulate sartiq`."""

from __future__ import annotations

import threading
from collections.abc import Callable

from etl.errors import ShotlistError
from etl.simulators.sartiq.server import SartiqSimulator


class SimulatorError(ShotlistError):
    """The simulator could not start (port taken...)."""


def serve_until_interrupted(
    sim: SartiqSimulator,
    *,
    host: str,
    port: int,
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Serve `sim`, print where and what, and block until Ctrl-C (or `stop`)."""
    try:
        server = sim.serve(host=host, port=port)
        server.__enter__()
    except OSError as exc:
        raise SimulatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        echo(f"Sartiq simulator listening on {sim.base_url}")
        echo(f"token: {sim.token} (or POST {sim.base_url}/login/access-token as {sim.username})")
        for org in [*sim.organizations, None]:
            counts = {
                name: len(sim.records(name, org))
                for name in ("products", "shootings", "looks", "shots")
            }
            label = f"organization_id={org}" if org else "personal"
            echo(f"{label}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        faults = sim.faults
        active = {
            "latency": faults.latency,
            "error_rate": faults.error_rate,
            "rate_limit_rate": faults.rate_limit_rate,
        }
        if any(active.values()):
            echo("faults: " + ", ".join(f"{k}={v:g}" for k, v in active.items() if v))
        echo("Press Ctrl-C to stop.")
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            echo("stopped")
    finally:
        server.__exit__(None, None, None)


__all__ = ["SimulatorError", "serve_until_interrupted"]
