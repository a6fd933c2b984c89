"""Grand Shooting API v3.3.1 simulator: a seeded catalog served over real HTTP on loopback.

catalog = generate_catalog(CatalogSpec(references=200, seed=7))
sim = GrandShootingSimulator(catalog, token="secret-token", rate_limit=0)
with sim.serve() as server:
    httpx.get(f"{server.base_url}/picture", headers={"Authorization": "Bearer secret-token"})
"""

from __future__ import annotations

from etl.simulators.grandshooting.catalog import (
    FIXED_NOW,
    RESOURCES,
    Catalog,
    CatalogSpec,
    generate_catalog,
)
from etl.simulators.grandshooting.faults import Faults
from etl.simulators.grandshooting.server import (
    GrandShootingSimulator,
    RequestRecord,
    RunningServer,
)

__all__ = [
    "FIXED_NOW",
    "RESOURCES",
    "Catalog",
    "CatalogSpec",
    "Faults",
    "GrandShootingSimulator",
    "RequestRecord",
    "RunningServer",
    "generate_catalog",
]
