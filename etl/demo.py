"""`shotlist demo`: the whole job on the bundled simulators, from an empty folder to reports."""

from __future__ import annotations

import os
import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import Config, WarehouseConfig
from etl.demo_days import DEFAULT_DAYS, DemoDay, Timeline, describe_day
from etl.engine.progress import Progress
from etl.engine.runtime import SyncResult
from etl.lake.config import LakeWarehouse
from etl.models import BuildResult, build
from etl.models.docs import open_analytics
from etl.models.guidelines import guideline_path
from etl.report import write_report
from etl.resources import EXAMPLE_GUIDELINES
from etl.simulators.grandshooting import (
    Catalog,
    CatalogSpec,
    GrandShootingSimulator,
    generate_catalog,
)
from etl.simulators.sartiq import SartiqSimulator
from etl.sources.config import SourcesConfig
from etl.sources.grandshooting.config import GrandShootingConfig
from etl.sources.sartiq.config import SartiqConfig
from etl.sync import sync_sources
from etl.warehouse.duckdb_file import raw_table_counts
from etl.workspace import connect, describe, locked

DEMO_TOKEN_ENV = "SHOTLIST_DEMO_TOKEN"
DEMO_TOKEN = "demo-token"
SARTIQ_DEMO_TOKEN_ENV = "SHOTLIST_DEMO_SARTIQ_TOKEN"
SOURCES = ("grandshooting", "sartiq")


@dataclass
class DemoResult:
    base_url: str
    warehouse: str
    sync: SyncResult
    tables: list[tuple[str, int]] = field(default_factory=list)
    outputs: list[tuple[str, Path | str]] = field(default_factory=list)
    days: list[DemoDay] = field(default_factory=list)
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    # The brand with the most products, for the report command `next_commands` suggests.
    brand: str | None = None


def demo_config(
    base: Config, base_url: str, rate_limit: float, sartiq: SartiqSimulator | None = None
) -> Config:
    """The user's warehouse settings, with the sources pointed at the local simulators."""
    warehouse: WarehouseConfig | LakeWarehouse = base.warehouse
    if isinstance(base.warehouse, WarehouseConfig):
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


def top_brand(config: Config) -> str | None:
    """The brand with the most products in the published marts (None when there is none)."""
    con = open_analytics(config)
    try:
        row = con.execute(
            "select brand from marts.shotlist_coverage where brand is not null "
            "group by brand order by count(*) desc, brand limit 1"
        ).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def next_commands(config: Config, brand: str | None) -> list[tuple[str, str]]:
    """What a user runs after the demo, each with what it is for."""
    option = f" --config {shlex.quote(str(config.path))}" if config.path else ""
    query = "select brand, count(*) as products, avg(coverage_pct) as coverage "
    query += "from marts.shotlist_coverage group by brand order by products desc, brand"
    report = f" --where {shlex.quote(f'brand={brand}')}" if brand else ""
    return [
        (f"shotlist query {shlex.quote(query)}{option}", "ask the marts anything, in SQL"),
        (f"shotlist report{report}{option}", "the weekly report for one brand"),
        ("shotlist init", "writes ./shotlist.toml for your own accounts; then `shotlist run`"),
    ]


def table_counts(config: Config) -> list[tuple[str, int]]:
    """The demo's sources' raw tables with their rows (the build creates every source's)."""
    con = connect(config, read_only=True)
    try:
        counts = raw_table_counts(con)
    finally:
        con.close()
    prefixes = tuple(f"raw.{source}__" for source in SOURCES)
    return [(name, rows) for name, rows in counts if name.startswith(prefixes)]


def run_demo(
    base: Config,
    *,
    references: int = 2000,
    seed: int = 42,
    rate_limit: float = 5.0,
    days: int = DEFAULT_DAYS,
    progress: Progress | None = None,
    say: Callable[[str], None] = print,
    first_sync: Callable[[SyncResult], None] | None = None,
) -> DemoResult:
    """Start the simulators on free loopback ports, sync them, build, then run `days` simulated
    days (each followed by a sync and a build) and write the report as of the last one.

    The timeline ends now: day 0, the first full sync at `rate_limit`, is `days` days ago; the
    simulated days that follow are a time-lapse, synced without rate limit. Each build dates
    its coverage snapshot by its simulated day. `first_sync` sees the first sync's result
    before the days run. The warehouse lock is held once, for the whole demo.
    """
    timeline = Timeline.ending_now(days)
    with locked(base, "demo"):
        return _run_demo(base, references, seed, rate_limit, timeline, progress, say, first_sync)


def _run_demo(
    base: Config,
    references: int,
    seed: int,
    rate_limit: float,
    timeline: Timeline,
    progress: Progress | None,
    say: Callable[[str], None],
    first_sync: Callable[[SyncResult], None] | None,
) -> DemoResult:
    spec = CatalogSpec(references=references, seed=seed, now=timeline.catalog_now())
    catalog = generate_catalog(spec)
    os.environ[DEMO_TOKEN_ENV] = DEMO_TOKEN
    simulator = GrandShootingSimulator(catalog, token=DEMO_TOKEN, rate_limit=rate_limit)
    # One clock for both: Sartiq's data is generated at the catalog's now.
    sartiq = SartiqSimulator(seed, start=timeline.at(0))
    os.environ[SARTIQ_DEMO_TOKEN_ENV] = sartiq.token
    with simulator.serve(host="127.0.0.1", port=0) as server, sartiq.serve():
        say(f"simulator: Grand Shooting API at {server.base_url} ({references} references)")
        orgs = len(sartiq.organizations)
        say(f"simulator: Sartiq API at {sartiq.base_url} ({orgs} organisations + personal)")
        config = demo_config(base, server.base_url, rate_limit, sartiq)
        result = sync_sources(config, SOURCES, progress=progress)
        demo = DemoResult(server.base_url, describe(config), result)
        if first_sync is not None:
            first_sync(result)
        # An incomplete first sync ends the demo: its build publishes what there is.
        built = _build(config, timeline, 0, last=not result.ok)
        last = _close_day(demo, DemoDay(0, timeline.days, timeline.local(0), result, built))
        say(describe_day(last))
        if last.ok and timeline.days:
            say(
                f"\nsimulating {timeline.days} days of studio work up to now "
                "(a time-lapse: these syncs are not rate-limited)"
            )
            # The days are simulated time: waiting on the real rate limit would only be slow.
            simulator.rate_limit = 0
            fast = demo_config(base, server.base_url, 0, sartiq)
            for day in range(1, timeline.days + 1):
                last = _close_day(demo, _simulate_day(catalog, sartiq, fast, timeline, day))
                say(describe_day(last))
                if not last.ok:
                    break
    demo.tables = table_counts(config)
    if isinstance(config.warehouse, WarehouseConfig):
        demo.outputs.append(("analytics database", config.resolve(config.warehouse.analytics_path)))
    if not last.build.ok:
        return demo
    for path in write_report(config, as_of=last.moment):
        demo.outputs.append(("report", Path(path)))
    demo.brand = top_brand(config)
    return demo


def _build(config: Config, timeline: Timeline, day: int, *, last: bool = False) -> BuildResult:
    # Only the last build publishes: the report reads the published file once.
    return build(config, as_of=timeline.local(day), publish_analytics=last or day == timeline.days)


def _simulate_day(
    catalog: Catalog, sartiq: SartiqSimulator, config: Config, timeline: Timeline, day: int
) -> DemoDay:
    """One simulated day on both simulators, then an incremental sync and a build."""
    grandshooting: Counter[str] = Counter()
    for account in catalog.advance_days(1).values():
        grandshooting.update(account.counts)
    studio = sartiq.advance_days(1)
    result = sync_sources(config, SOURCES)
    built = _build(config, timeline, day, last=not result.ok)
    return DemoDay(
        day, timeline.days, timeline.local(day), result, built, grandshooting, studio.counts
    )


def _close_day(demo: DemoResult, day: DemoDay) -> DemoDay:
    """Record the day and what went wrong in it."""
    demo.days.append(day)
    if not day.sync.ok:
        demo.ok = False
        demo.problems.append(f"sync incomplete (day {day.day})")
    if not day.build.ok:
        demo.ok = False
        demo.problems.append(f"build failed (day {day.day})")
    return day
