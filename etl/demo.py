"""`shotlist demo`: the whole job on the bundled simulator, from an empty folder to reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import Config, WarehouseConfig
from etl.engine.progress import Progress
from etl.engine.runtime import SyncResult
from etl.models import build
from etl.models.guidelines import guideline_path
from etl.report import write_report
from etl.resources import EXAMPLE_GUIDELINES
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.simulators.sartiq import SartiqSimulator
from etl.sources.config import SourcesConfig
from etl.sources.grandshooting.config import GrandShootingConfig
from etl.sources.sartiq.config import SartiqConfig
from etl.sync import sync_sources
from etl.warehouse.duckdb_file import connect, raw_table_counts
from etl.workspace import locked

DEMO_TOKEN_ENV = "SHOTLIST_DEMO_TOKEN"
DEMO_TOKEN = "demo-token"
SARTIQ_DEMO_TOKEN_ENV = "SHOTLIST_DEMO_SARTIQ_TOKEN"


@dataclass
class DemoResult:
    base_url: str
    warehouse: Path
    sync: SyncResult
    tables: list[tuple[str, int]] = field(default_factory=list)
    outputs: list[tuple[str, Path]] = field(default_factory=list)
    ok: bool = True
    problems: list[str] = field(default_factory=list)


def demo_config(
    base: Config, base_url: str, rate_limit: float, sartiq: SartiqSimulator | None = None
) -> Config:
    """The user's warehouse settings, with the sources pointed at the local simulators."""
    warehouse = WarehouseConfig(
        path=base.resolve(base.warehouse.path),
        analytics_path=base.resolve(base.warehouse.analytics_path),
    )
    source = GrandShootingConfig(base_url=base_url, token_env=DEMO_TOKEN_ENV, rate_limit=rate_limit)
    sartiq_source = None
    if sartiq is not None:
        sartiq_source = SartiqConfig(
            base_url=sartiq.base_url,
            token_env=SARTIQ_DEMO_TOKEN_ENV,
            organization_ids=sartiq.organizations,
            include_personal=True,
            rate_limit=rate_limit,
        )
    sources = SourcesConfig(grandshooting=source, sartiq=sartiq_source)
    # Without a guidelines file of the user's, the shipped example applies from any folder,
    # as it does in a checkout (where it is the default `data/guidelines.toml`).
    guidelines = base.guidelines
    if guideline_path(base) is None:
        guidelines = guidelines.model_copy(update={"path": EXAMPLE_GUIDELINES})
    return base.model_copy(
        update={"warehouse": warehouse, "sources": sources, "guidelines": guidelines}
    )


def table_counts(path: Path) -> list[tuple[str, int]]:
    con = connect(path, read_only=True)
    try:
        return raw_table_counts(con)
    finally:
        con.close()


def run_demo(
    base: Config,
    *,
    references: int = 2000,
    seed: int = 42,
    rate_limit: float = 5.0,
    progress: Progress | None = None,
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Start the simulator on a free loopback port, sync it, then build and report.

    The warehouse lock is held once, for the whole demo.
    """
    with locked(base, "demo"):
        return _run_demo(base, references, seed, rate_limit, progress, say)


def _run_demo(
    base: Config,
    references: int,
    seed: int,
    rate_limit: float,
    progress: Progress | None,
    say: Callable[[str], None],
) -> DemoResult:
    catalog = generate_catalog(CatalogSpec(references=references, seed=seed))
    os.environ[DEMO_TOKEN_ENV] = DEMO_TOKEN
    simulator = GrandShootingSimulator(catalog, token=DEMO_TOKEN, rate_limit=rate_limit)
    sartiq = SartiqSimulator(seed)
    os.environ[SARTIQ_DEMO_TOKEN_ENV] = sartiq.token
    with simulator.serve(host="127.0.0.1", port=0) as server, sartiq.serve():
        say(f"simulator: Grand Shooting API at {server.base_url} ({references} references)")
        orgs = len(sartiq.organizations)
        say(f"simulator: Sartiq API at {sartiq.base_url} ({orgs} organisations + personal)")
        config = demo_config(base, server.base_url, rate_limit, sartiq)
        result = sync_sources(config, ["grandshooting", "sartiq"], progress=progress)
    demo = DemoResult(server.base_url, config.resolve(config.warehouse.path), result)
    demo.tables = table_counts(demo.warehouse)
    if not result.ok:
        demo.ok = False
        demo.problems.append("sync incomplete")
    outcome = build(config)
    demo.outputs.append(("analytics database", config.resolve(config.warehouse.analytics_path)))
    if not outcome.ok:
        demo.ok = False
        demo.problems.append("build failed")
        return demo
    for path in write_report(config):
        demo.outputs.append(("report", Path(path)))
    return demo
