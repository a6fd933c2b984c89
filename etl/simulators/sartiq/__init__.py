"""A loopback HTTP simulator of the Sartiq backend API, seeded and deterministic, for tests."""

from __future__ import annotations

from etl.simulators.sartiq.server import LoggedRequest, SartiqSimulator, serve

__all__ = ["LoggedRequest", "SartiqSimulator", "serve"]
