"""Queries of the marts and run tables behind the report, restricted to the report's scope."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

import duckdb

from etl.report.errors import ReportError
from etl.report.period import (
    ReportPeriod,
    in_zone,
    local_bounds,
    machine_local,
    report_clock,
    report_period,
)
from etl.report.scope import ReportScope
from etl.report.sheetxml import FLOAT_TYPES, INTEGER_TYPES

# Sync run statuses that count as a success (the engine writes ok, or warning when it resumed).
SUCCESS_STATUSES = ("ok", "warning")
# Data test statuses that are a failure (etl/models/datatests.py).
FAILED_TEST_STATUSES = ("fail", "error")
FOR_APPROVAL = "for_approval"
VALIDATED_GROUPS = ("validated", "published")
HISTORY_WEEKS = 12
TOP_ROWS = 15
STREAM_BUFFER = "32KB"  # results DuckDB computes ahead of the reader (see ReportQueries)
# Rows fetched at a time when streaming: a sheet row is about a KB of XML, and larger batches
# left the allocator holding tens of MB more for no speed.
STREAM_BATCH = 1000

# The columns a report can be filtered on: every mart the report sums carries them.
SCOPE_COLUMNS = ("source", "brand", "collection", "category", "guideline")
# Marts the report reads; a build makes them all.
REPORT_MARTS = (
    "shotlist_coverage",
    "coverage_by_scope",
    "coverage_trend",
    "alerts_by_type",
    "report_alerts",
    "production_status",
    "status_breakdown",
    "deliverables",
    "deliverable_products",
    "collection_pace",
    "approval_backlog",
    "approval_backlog_age",
    "production_urgency",
    "products_behind",
)
# marts.collection_pace groups by brand and collection only: a filter on them reads its
# brand_collection rows; a filter on any other column has no pace to show.
PACE_COLUMNS = ("brand", "collection")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # text, int, float, pct, date, datetime, bool, list
    description: str = ""
    duck_type: str = ""  # the query's DuckDB type, e.g. VARCHAR[] (the streamed sheets use it)


@dataclass
class Table:
    columns: list[Column]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float | None
    kind: str  # int or pct
    change: float | None = None
    # Whether a rise is good news (coverage) or bad (missing images, alerts).
    up_is_good: bool = True
    note: str = ""


@dataclass(frozen=True)
class TestFailure:
    name: str
    severity: str
    failures: int | None


@dataclass
class Header:
    """What the report covers and when; the times are aware, in the report's time zone."""

    title: str
    scope_label: str
    sources: list[str]
    period: ReportPeriod
    generated_at: datetime
    last_sync_at: datetime | None
    last_build_at: datetime | None
    stale_after_hours: float
    sync_sources: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    failing_tests: list[TestFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def period_start(self) -> date:
        return self.period.start

    @property
    def period_end(self) -> date:
        return self.period.end

    @property
    def timezone(self) -> str:
        """The zone's name as the times print it (`UTC`, `CET`)."""
        return self.generated_at.tzname() or str(self.generated_at.tzinfo)

    @property
    def stale(self) -> bool:
        if self.last_sync_at is None:
            return True
        return self.generated_at - self.last_sync_at > timedelta(hours=self.stale_after_hours)

    @property
    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.last_sync_at is None:
            out.append("No successful sync is recorded: the figures may be out of date.")
        elif self.stale:
            age = (self.generated_at - self.last_sync_at).total_seconds() / 3600
            out.append(
                f"Data is stale: the last successful sync ended {age:.0f} hours ago "
                f"(threshold {self.stale_after_hours:g} h)."
            )
        errors = [t for t in self.failing_tests if t.severity.lower() == "error"]
        if self.failing_tests:
            names = ", ".join(t.name for t in self.failing_tests[:3])
            more = f" and {len(self.failing_tests) - 3} more" if len(self.failing_tests) > 3 else ""
            kind = "error-level " if errors else ""
            out.append(
                f"The last build had {len(self.failing_tests)} failing {kind}data test(s): "
                f"{names}{more}."
            )
        return out


class Snapshot(NamedTuple):
    """One day of marts.coverage_history summed over the products in scope.

    `alerts` and `for_approval` are None for days built before the history recorded them.
    """

    day: date
    products: int
    covered: int
    expected: int
    validated: int
    missing: int
    alerts: int | None
    for_approval: int | None


@dataclass
class WeekPoint:
    week: date
    validated: int
    coverage_pct: float | None


@dataclass
class ReportData:
    header: Header
    kpis: list[Kpi]
    by_category: Table
    by_brand: Table
    status_by_production: Table
    status_groups: list[str]
    progress: list[WeekPoint]
    alerts_by_type: Table
    worst_alerts: Table
    furthest_behind: Table
    descriptions: dict[tuple[str, str], str]
    sync_runs: Table
    pace: Table = field(default_factory=lambda: Table([], []))
    pace_note: str = ""  # why the pace is missing or what it covers under a filter
    backlog_age: Table = field(default_factory=lambda: Table([], []))
    oldest_waiting: Table = field(default_factory=lambda: Table([], []))
    urgency: Table = field(default_factory=lambda: Table([], []))
    urgency_note: str = ""

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)


class ReportQueries:
    """One read-only connection to the marts, with the scope applied as a temp table.

    Every figure is a select from a mart: rows a `where` on the scope columns keeps (summed when
    the mart has one row per scope cell), or rows tied to the products in scope.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, scope: ReportScope, notes: Sequence[str] = ()
    ) -> None:
        self.con = con
        self.scope = scope
        self.notes = list(notes)  # caveats about the data, shown in the header
        self._columns: dict[str, dict[str, str]] = {}
        # The big sheets are read as a stream of long XML rows: with the default buffer DuckDB
        # ran far ahead of the writer (about 120 MiB more at 100,000 products), for no speed.
        self.con.execute(f"set streaming_buffer_size = '{STREAM_BUFFER}'")
        # A streamed query runs on the thread that fetches it: DuckDB's other threads did under
        # 1 % of the work, yet each kept its own allocator cache (20 to 30 MiB more peak memory,
        # varying run to run). The second core deflates the workbook instead (zipstream).
        self.con.execute("set threads = 1")
        for mart in REPORT_MARTS:
            if not self.has(f"marts.{mart}"):
                raise ReportError(f"marts.{mart} not found: run `shotlist build` before the report")
        self._make_scope()

    # -- introspection -------------------------------------------------------------------
    def columns(self, table: str) -> dict[str, str]:
        """Column name -> DuckDB type of a table or view, empty when it does not exist."""
        if table not in self._columns:
            try:
                cursor = self.con.execute(f"select * from {table} limit 0")
            except duckdb.CatalogException:
                self._columns[table] = {}
            else:
                self._columns[table] = {d[0]: str(d[1]) for d in cursor.description or ()}
        return self._columns[table]

    def has(self, table: str) -> bool:
        return bool(self.columns(table))

    def descriptions(self) -> dict[tuple[str, str], str]:
        """`COMMENT ON` texts of mart tables and columns: (table, column or '') -> text."""
        out: dict[tuple[str, str], str] = {}
        for table, comment in self.con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
        ).fetchall():
            if comment:
                out[(table, "")] = comment
        for table, column, comment in self.con.execute(
            """select table_name, column_name, comment from duckdb_columns()
               where schema_name = 'marts'"""
        ).fetchall():
            if comment:
                out[(table, column)] = comment
        return out

    # -- scope ---------------------------------------------------------------------------
    def _make_scope(self) -> None:
        cols = self.columns("marts.shotlist_coverage")
        for key in self.scope.where:
            if key not in cols or key not in SCOPE_COLUMNS:
                what = "no such column" if key not in cols else "not a scope column"
                raise ReportError(
                    f"filter {key!r}: {what} in marts.shotlist_coverage "
                    f"(filterable: {', '.join(SCOPE_COLUMNS)})"
                )
        self.con.execute(
            "create or replace temp view report_scope as "
            f"select * from marts.shotlist_coverage where {self.where()}"
        )

    def where(self) -> str:
        """The scope as a condition on the scope columns (true when unfiltered)."""
        clauses = []
        for key, values in self.scope.where.items():
            quoted = ", ".join(_sql_str(v) for v in values)
            clauses.append(f'cast("{key}" as varchar) in ({quoted})')
        return " and ".join(clauses) or "true"

    def in_scope(self, alias: str) -> str:
        """A condition keeping rows of `alias` that belong to products in scope.

        Unfiltered reports keep rows tied to no product (e.g. an unlinked picture's alert).
        """
        test = (
            f"exists (select 1 from report_scope s where s.source = {alias}.source "
            f"and s.product_key = {alias}.product_key)"
        )
        return test if self.scope.filtered else f"({alias}.product_key is null or {test})"

    def deliverable_in_scope(self, alias: str) -> str:
        """Like `in_scope`, but a picture linked to several products counts for each of them."""
        if not self.scope.filtered:
            return self.in_scope(alias)
        return (
            "exists (select 1 from marts.deliverable_products l join report_scope s "
            "on s.source = l.source and s.product_key = l.product_key "
            f"where l.source = {alias}.source and l.deliverable_key = {alias}.deliverable_key)"
        )

    # -- generic fetch -------------------------------------------------------------------
    def table(self, sql: str, params: Sequence[Any] = ()) -> Table:
        cursor = self.con.execute(sql, list(params))
        return Table(_describe(cursor.description), cursor.fetchall())

    def count(self, sql: str) -> int:
        """How many rows `sql` returns."""
        row = self.con.execute(f"select count(*) from ({sql})").fetchone()
        return int(row[0]) if row else 0

    def batches(self, sql: str, batch: int = STREAM_BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of `sql` in lists of up to `batch` (see `stream`)."""
        cursor = self.con.execute(sql)
        while chunk := cursor.fetchmany(batch):
            yield chunk

    def stream(
        self, sql: str, batch: int = STREAM_BATCH
    ) -> tuple[list[Column], Iterator[tuple[Any, ...]]]:
        """Columns and a row iterator that fetches in batches (memory stays flat).

        It runs on the report's own connection (the scope is a temp table, private to it):
        consume the rows before running the next query.
        """
        cursor = self.con.execute(sql)
        columns = _describe(cursor.description)

        def rows() -> Iterator[tuple[Any, ...]]:
            while chunk := cursor.fetchmany(batch):
                yield from chunk

        return columns, rows()

    # -- sheet queries (streamed into the workbook) --------------------------------------
    def coverage_sql(self) -> str:
        # covered_images is the coverage numerator the sums use; the sheet shows coverage_pct.
        return (
            "select * exclude (covered_images) from report_scope "
            "order by source, brand, collection, product_key"
        )

    def alerts_sql(self) -> str:
        """Every alert in scope, in the mart's order (streamed, like the deliverables)."""
        return (
            "select a.source, a.alert_label, a.alert_detail, a.severity, a.picture, "
            "a.product_ref, a.label, a.brand, a.collection, a.alert_type, a.product_key, "
            "a.deliverable_key, a.expected, a.actual, a.message "
            f"from marts.report_alerts a where {self.in_scope('a')}"
        )

    def status_sql(self) -> str:
        """The status breakdown in scope; a filter on a column it lacks reads production_status."""
        table = "marts.status_breakdown"
        if any(key not in self.columns(table) for key in self.scope.where):
            table = "marts.production_status"
        return f"select * from {table} where {self.where()}"

    def deliverables_sql(self) -> str:
        """The pictures in scope, without the columns empty on every one of them.

        In the mart's order: sorting 100,000s of rows would hold them all in memory; Excel's
        filter sorts them for whoever needs it.
        """
        where = self.deliverable_in_scope("d")
        names = list(self.columns("marts.deliverables"))
        counts = ", ".join(f"count({_ident(n)})" for n in names)
        row = self.con.execute(
            f"select {counts} from marts.deliverables d where {where}"
        ).fetchone()
        # No picture at all: every column, so the sheet still says what a row would hold.
        kept = (
            [n for n, c in zip(names, row or (), strict=True) if c] if row and any(row) else names
        )
        listed = ", ".join(f"d.{_ident(n)}" for n in kept)
        return f"select {listed} from marts.deliverables d where {where}"

    # -- header ----------------------------------------------------------------------------
    def header(
        self, title: str, clock: datetime, stale_after_hours: float, period: ReportPeriod
    ) -> Header:
        """`clock` is the report's time, aware in its zone; naive run times are machine-local."""
        zone = clock.tzinfo
        assert zone is not None
        sources = [
            r[0]
            for r in self.con.execute(
                "select distinct source from report_scope order by 1"
            ).fetchall()
        ]
        last_sync, per_source = None, []
        if self.has("meta.sync_runs"):
            ok = ", ".join(_sql_str(s) for s in SUCCESS_STATUSES)
            per_source = [
                (r[0], r[1], r[2])
                for r in self.con.execute(
                    f"""select source, coalesce(cast(scope as varchar), ''),
                              max(ended_at) filter (where status in ({ok}))
                       from meta.sync_runs group by 1, 2 order by 1, 2"""
                ).fetchall()
            ]
            ends = [end for _, _, end in per_source if end is not None]
            last_sync = max(ends) if ends else None
        last_build = None
        if self.has("meta.model_runs"):
            row = self.con.execute("select max(ended_at) from meta.model_runs").fetchone()
            last_build = row[0] if row else None
        if last_build is None and self.has("meta.build_info"):
            row = self.con.execute("select max(built_at) from meta.build_info").fetchone()
            last_build = row[0] if row else None
        return Header(
            title=title,
            scope_label=self.scope.label(),
            sources=sources,
            period=period,
            generated_at=clock,
            last_sync_at=in_zone(last_sync, zone),
            last_build_at=in_zone(last_build, zone),
            stale_after_hours=stale_after_hours,
            sync_sources=[(src, scope, in_zone(end, zone)) for src, scope, end in per_source],
            failing_tests=self.failing_tests(),
            notes=list(self.notes),
        )

    def failing_tests(self) -> list[TestFailure]:
        """Failed data tests of the latest build (the run of the latest result recorded)."""
        if not self.has("meta.test_results"):
            return []
        bad = ", ".join(_sql_str(s) for s in FAILED_TEST_STATUSES)
        rows = self.con.execute(
            f"""select test, severity, failures from meta.test_results
                where status in ({bad})
                  and run_id = (select run_id from meta.test_results
                                order by ran_at desc nulls last limit 1)
                order by severity, test"""
        ).fetchall()
        return [TestFailure(str(r[0]), str(r[1]), r[2]) for r in rows]

    def sync_runs(self) -> Table:
        """The latest run of each resource, with its last success and watermark when known."""
        if not self.has("meta.sync_runs"):
            return Table([], [])
        # A file published before the build copied sync_state has the runs only.
        state = self.has("meta.sync_state")
        listed = ", t.last_success_at, t.watermark" if state else ""
        join = (
            "left join meta.sync_state t on t.source = r.source "
            "and cast(t.scope as varchar) = cast(r.scope as varchar) and t.resource = r.resource"
            if state
            else ""
        )
        return self.table(
            f"""select r.source, r.scope, r.resource, r.mode, r.status, r.started_at,
                       r.ended_at, r.rows{listed}
               from meta.sync_runs r {join}
               qualify row_number() over (partition by r.source, r.scope, r.resource
                                          order by r.started_at desc) = 1
               order by r.source, r.scope, r.resource"""
        )

    # -- KPIs and history ------------------------------------------------------------------
    def history(self) -> list[Snapshot]:
        """Per snapshot day, the products in scope summed (see `Snapshot`)."""
        rows = self.con.execute(
            f"""select snapshot_date, sum(products), sum(covered_images), sum(expected_images),
                       sum(validated_images), sum(missing_images), sum(open_alerts),
                       sum(for_approval_images)
                from marts.coverage_trend where {self.where()}
                group by 1 order by 1"""
        ).fetchall()
        return [
            Snapshot(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, r[6], r[7])
            for r in rows
        ]

    def per_product_counts(self) -> tuple[int | None, int | None]:
        """Open alerts and for-approval images summed per product in scope, now.

        Counted as marts.coverage_history counts them, so they compare with a snapshot: an
        alert tied to no product is left out, and an image counts once for every product it
        is linked to.
        """
        row = self.con.execute(
            f"""select coalesce(sum(open_alerts), 0), coalesce(sum(for_approval_images), 0)
                from marts.coverage_by_scope where {self.where()}"""
        ).fetchone()
        assert row is not None
        return row[0], row[1]

    def current_totals(self) -> dict[str, Any]:
        row = self.con.execute(
            f"""select coalesce(sum(products), 0), sum(covered_images), sum(expected_images),
                       sum(validated_images), sum(missing_images)
                from marts.coverage_by_scope where {self.where()}"""
        ).fetchone()
        assert row is not None
        products, covered, expected, validated, missing = row
        got = self.con.execute(
            f"select coalesce(sum(alerts), 0) from marts.alerts_by_type where {self.where()}"
        ).fetchone()
        alerts = got[0] if got else 0
        # Images, not per product: a picture linked to several products in scope counts once.
        got = self.con.execute(
            f"""select count(*) from marts.deliverables d
                where d.status_group = {_sql_str(FOR_APPROVAL)}
                  and {self.deliverable_in_scope("d")}"""
        ).fetchone()
        backlog = got[0] if got else 0
        return {
            "products": products,
            "coverage": coverage_ratio(covered, expected),
            "validated": validated or 0,
            "missing": missing or 0,
            "alerts": alerts,
            "backlog": backlog,
        }

    def validated_between(self, start: datetime, end: datetime) -> int:
        groups = ", ".join(_sql_str(g) for g in VALIDATED_GROUPS)
        row = self.con.execute(
            f"""select count(*) from marts.deliverables d
                where d.validated_at >= ? and d.validated_at < ?
                  and d.status_group in ({groups})
                  and {self.deliverable_in_scope("d")}""",
            [start, end],
        ).fetchone()
        return row[0] if row else 0

    def kpis(
        self, as_of: datetime, period: ReportPeriod, zone: tzinfo
    ) -> tuple[list[Kpi], list[WeekPoint]]:
        """The tiles at `as_of` (naive, machine-local, as the marts are dated)."""
        now = self.current_totals()
        history = self.history()
        today = as_of.date()
        week_ago = _snapshot_on_or_before(history, today - timedelta(days=7))
        two_weeks = _snapshot_on_or_before(history, today - timedelta(days=14))

        def change(now_value: float | None, then: float | None) -> float | None:
            return None if now_value is None or then is None else now_value - then

        then_products = week_ago.products if week_ago else None
        then_coverage = coverage_ratio(week_ago.covered, week_ago.expected) if week_ago else None
        then_missing = week_ago.missing if week_ago else None
        this_week: float | None = None
        last_week: float | None = None
        note = ""
        if week_ago:
            # Net: images that became validated less those that left validation since then.
            this_week = now["validated"] - week_ago.validated
            last_week = week_ago.validated - two_weeks.validated if two_weeks else None
            day = week_ago.day
            note = f"net change since the {day:%a} {day.day} {day:%b} snapshot"
        else:
            start, end = local_bounds(period, zone)
            this_week = self.validated_between(start, end)
            last_week = self.validated_between(start - timedelta(days=7), start)
            note = f"by validation date, {period.days()}"
        # The history holds per-product counts: the change compares those, and says so when
        # the tile's own count differs (alerts on no product, images linked to several).
        alerts_now, backlog_now = self.per_product_counts()
        alerts_change = change(alerts_now, week_ago.alerts if week_ago else None)
        backlog_change = change(backlog_now, week_ago.for_approval if week_ago else None)
        alerts_note = backlog_note = ""
        if alerts_change is not None and now["alerts"] != alerts_now:
            alerts_note = (
                f"change leaves out {now['alerts'] - (alerts_now or 0)} alert(s) tied to no product"
            )
        if backlog_change is not None and now["backlog"] != backlog_now:
            backlog_note = (
                f"change counts images once per product they are linked to ({backlog_now} now)"
            )
        kpis = [
            Kpi(
                "products",
                "Products in scope",
                now["products"],
                "int",
                change(now["products"], then_products),
            ),
            Kpi(
                "coverage",
                "Coverage",
                now["coverage"],
                "pct",
                change(now["coverage"], then_coverage),
            ),
            Kpi(
                "validated_week",
                "Validated this week",
                this_week,
                "int",
                change(this_week, last_week),
                note=note,
            ),
            Kpi(
                "missing",
                "Missing images",
                now["missing"],
                "int",
                change(now["missing"], then_missing),
                up_is_good=False,
            ),
            Kpi(
                "alerts",
                "Open alerts",
                now["alerts"],
                "int",
                alerts_change,
                up_is_good=False,
                note=alerts_note,
            ),
            Kpi(
                "backlog",
                "For approval",
                now["backlog"],
                "int",
                backlog_change,
                up_is_good=False,
                note=backlog_note,
            ),
        ]
        return kpis, _weekly(history)

    # -- sections --------------------------------------------------------------------------
    def coverage_by(self, *dims: str) -> Table:
        """Coverage of the products in scope per value of `dims` (scope columns)."""
        keys = ", ".join(f"coalesce(cast({d} as varchar), '(none)') as {d}" for d in dims)
        group = ", ".join(str(i + 1) for i in range(len(dims)))
        return self.table(
            f"""select {keys},
                       sum(products) as products,
                       coalesce(sum(expected_images), 0) as expected_images,
                       coalesce(sum(validated_images), 0) as validated_images,
                       coalesce(sum(missing_images), 0) as missing_images,
                       sum(covered_images) / nullif(sum(expected_images), 0) as coverage_pct,
                       sum(complete_products) as complete,
                       sum(not_started_products) as not_started
                from marts.coverage_by_scope where {self.where()}
                group by {group}
                order by products desc, {group}"""
        )

    def status_by_production(self) -> tuple[Table, list[str]]:
        source = f"select * from marts.production_status where {self.where()}"
        groups = [
            r[0]
            for r in self.con.execute(
                f"""select coalesce(status_group, '(none)') from ({source})
                    group by 1 order by min(status_code), 1"""
            ).fetchall()
        ]
        pivots = ", ".join(
            "coalesce(sum(deliverables) filter (where coalesce(status_group, '(none)') = "
            f"{_sql_str(g)}), 0) as {_ident(g)}"
            for g in groups
        )
        body = f", {pivots}" if pivots else ""
        result = self.table(
            f"""select coalesce(cast(production as varchar), '(none)') as production,
                       sum(deliverables) as total{body}
                from ({source}) group by 1 order by total desc, 1"""
        )
        return result, groups

    def alerts_by_type(self) -> Table:
        return self.table(
            f"""select alert_label, alert_meaning, alert_type, severity,
                       sum(alerts) as alerts, sum(products) as products
                from marts.alerts_by_type where {self.where()}
                group by alert_label, alert_meaning, alert_type, severity, severity_rank
                order by severity_rank nulls last, alerts desc, alert_type"""
        )

    def worst_alerts(self) -> Table:
        return self.table(
            f"""select a.severity, a.alert_label, a.alert_detail, a.picture, a.product_ref,
                       a.label, a.alert_type, a.product_key, a.message
                from marts.report_alerts a
                where {self.in_scope("a")}
                order by a.severity_rank nulls last, a.product_alerts desc,
                         a.product_key, a.alert_type, a.deliverable_key, a.message
                limit {TOP_ROWS}"""
        )

    def furthest_behind(self) -> Table:
        """Products by coverage, lowest first (0 % first), then most images missing."""
        return self.table(
            f"""select behind_rank, product_ref, label, brand, collection, category,
                       expected_images, validated_images, missing_images, coverage_pct,
                       coverage_status, product_key
                from marts.products_behind where {self.where()}
                order by behind_rank
                limit {TOP_ROWS}"""
        )

    # -- what to do this week ----------------------------------------------------------
    def pace(self) -> tuple[Table, str]:
        """Pace and forecast per collection and per brand (per brand and collection filtered)."""
        other = [key for key in self.scope.where if key not in PACE_COLUMNS]
        if other:
            return Table([], []), (
                f"Pace is kept per brand and collection: not shown under a filter on "
                f"{', '.join(other)}."
            )
        levels = "('brand_collection')" if self.scope.filtered else "('collection', 'brand')"
        table = self.table(
            f"""select case level when 'collection' then 'Collection' when 'brand' then 'Brand'
                       else 'Brand and collection' end as level,
                       case level when 'brand_collection' then concat_ws(' · ', brand, collection)
                           else coalesce(collection, brand) end as name,
                       brand, collection, products,
                       coverage_pct, images_left, images_per_week, weeks_left, forecast_finish,
                       deadline, deadline_source, needed_per_week, misses_deadline,
                       forecast_status, pace_basis, window_start, window_end
                from marts.collection_pace
                where level in {levels} and {self.where()}
                order by level = 'brand', misses_deadline desc, images_left desc nulls last,
                         name"""
        )
        return table, ""

    def pace_sql(self) -> str:
        """Every pace row for the workbook (all three levels unfiltered)."""
        other = [key for key in self.scope.where if key not in PACE_COLUMNS]
        if other:
            return "select * from marts.collection_pace where false"
        level = "level = 'brand_collection' and " if self.scope.filtered else ""
        return (
            f"select * from marts.collection_pace where {level}{self.where()} "
            "order by level, misses_deadline desc, images_left desc nulls last, brand, collection"
        )

    def backlog_age(self) -> Table:
        """For-approval images per days waiting (0-2, 3-7, 8-14, over 14)."""
        return self.table(
            f"""select age_bucket, sum(images) as images, max(oldest_days) as oldest_days
                from marts.approval_backlog_age where {self.where()}
                group by age_bucket, age_bucket_order
                order by age_bucket_order"""
        )

    def backlog_sql(self) -> str:
        return f"select * from marts.approval_backlog where {self.where()} order by age_rank"

    def oldest_waiting(self) -> Table:
        return self.table(
            f"""select picture, production, product_ref, label, days_waiting, waiting_since,
                       status_label
                from marts.approval_backlog where {self.where()}
                order by age_rank
                limit {TOP_ROWS}"""
        )

    def urgency_sql(self) -> str:
        """Productions by what blocks delivery; a filter keeps those working on its products."""
        keep = (
            "where production in (select production from marts.production_status "
            f"where {self.where()})"
            if self.scope.filtered
            else ""
        )
        return f"select * from marts.production_urgency {keep} order by urgency_rank"

    def urgency(self) -> tuple[Table, str]:
        table = self.table(
            f"""select urgency_rank, production, blocked_images, refused_images, reshoot_images,
                       oldest_waiting_days, oldest_waiting_picture, for_approval_images,
                       missing_images, products, deliverables
                from ({self.urgency_sql()}) u
                order by urgency_rank"""
        )
        note = (
            "Counts cover each production's whole work, not only the filtered products."
            if self.scope.filtered
            else ""
        )
        return table, note


def coverage_ratio(covered: float | None, expected: float | None) -> float | None:
    """Coverage of summed marts rows: their covered_images over their expected_images."""
    return (covered or 0) / expected if expected else None


def load_report_data(
    queries: ReportQueries,
    *,
    title: str,
    as_of: datetime | None,
    stale_after_hours: float,
    zone: tzinfo,
) -> ReportData:
    """Everything small the report shows; the big sheets are streamed separately.

    `as_of` naive is the machine's local time (None: now); the period is the report's days
    in `zone`.
    """
    clock = report_clock(as_of, zone)
    period = report_period(clock.date())
    kpis, progress = queries.kpis(machine_local(clock), period, zone)
    status, groups = queries.status_by_production()
    pace, pace_note = queries.pace()
    urgency, urgency_note = queries.urgency()
    return ReportData(
        header=queries.header(title, clock, stale_after_hours, period),
        kpis=kpis,
        by_category=queries.coverage_by("category"),
        by_brand=queries.coverage_by("brand", "collection"),
        status_by_production=status,
        status_groups=groups,
        progress=progress,
        alerts_by_type=queries.alerts_by_type(),
        worst_alerts=queries.worst_alerts(),
        furthest_behind=queries.furthest_behind(),
        descriptions=queries.descriptions(),
        sync_runs=queries.sync_runs(),
        pace=pace,
        pace_note=pace_note,
        backlog_age=queries.backlog_age(),
        oldest_waiting=queries.oldest_waiting(),
        urgency=urgency,
        urgency_note=urgency_note,
    )


def _snapshot_on_or_before(history: list[Snapshot], day: date) -> Snapshot | None:
    found = None
    for point in history:
        if point.day <= day:
            found = point
    return found


def _weekly(history: list[Snapshot]) -> list[WeekPoint]:
    """The last snapshot of each ISO week, for the last HISTORY_WEEKS weeks."""
    by_week: dict[date, Snapshot] = {}
    for point in history:
        monday = point.day - timedelta(days=point.day.weekday())
        by_week[monday] = point  # history is ordered: the last one of a week wins
    weeks = sorted(by_week)[-HISTORY_WEEKS:]
    return [
        WeekPoint(
            week=w,
            validated=int(by_week[w].validated),
            coverage_pct=coverage_ratio(by_week[w].covered, by_week[w].expected),
        )
        for w in weeks
    ]


def _describe(description: Sequence[Any] | None) -> list[Column]:
    columns = []
    for name, type_code, *_ in description or ():
        duck_type = str(type_code)
        columns.append(Column(name, _label(name), _kind(name, duck_type), duck_type=duck_type))
    return columns


def _kind(name: str, duck_type: str) -> str:
    t = duck_type.upper()
    if t.endswith("[]") or t.startswith(("LIST", "STRUCT", "MAP")):
        return "list"
    if t in INTEGER_TYPES or t == "NUMBER":
        return "int"
    if t in FLOAT_TYPES or t.startswith("DECIMAL"):
        return "pct" if name.endswith(("_pct", "share")) or name == "share" else "float"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP") or t == "DATETIME":
        return "datetime"
    if t == "BOOLEAN" or t == "BOOL":
        return "bool"
    return "text"


# Headers a person reads where the column name alone would not say it; the rest are the name
# in words (`missing_images` -> `Missing images`). The About sheet keeps the column names.
LABELS = {
    "product_key": "Product id",
    "product_ref": "Product reference",
    "label": "Product name",
    "deliverable_key": "Picture id",
    "coverage_pct": "Coverage",
    "covered_images": "Images counted in coverage",
    "expected_images": "Images expected",
    "captured_images": "Images captured",
    "in_progress_images": "Images in progress",
    "validated_images": "Images validated",
    "missing_images": "Images missing",
    "for_approval_images": "Images for approval",
    "alert_type": "Alert type",
    "alert_label": "Alert",
    "alert_detail": "What is wrong",
    "status_code": "Status code",
    "status_label": "Status",
    "status_group": "Status group",
    "view_type": "View",
    "width": "Width (px)",
    "height": "Height (px)",
    "file_size": "File size (bytes)",
    "icc_profile": "Colour profile",
    "file_format": "File format",
    "file_name": "File name",
    "created_at": "Created",
    "modified_at": "Last modified",
    "validated_at": "Validated",
    "share": "Share",
    "message": "Message",
    "expected": "Guideline asks",
    "actual": "Image has",
    "alert_meaning": "Meaning",
    "picture": "Picture",
    "behind_rank": "Rank",
    "urgency_rank": "Rank",
    "age_rank": "Rank",
    "images_left": "Images left",
    "images_per_week": "Images per week",
    "weeks_left": "Weeks left",
    "forecast_finish": "Finishes",
    "deadline": "Deadline",
    "deadline_source": "Deadline from",
    "needed_per_week": "Needed per week",
    "misses_deadline": "Misses deadline",
    "forecast_status": "Forecast",
    "pace_basis": "Pace from",
    "age_bucket": "Waiting",
    "oldest_days": "Oldest (days)",
    "days_waiting": "Days waiting",
    "waiting_since": "Waiting since",
    "blocked_images": "Blocked (refused + reshoot)",
    "refused_images": "Refused",
    "reshoot_images": "Reshoot",
    "oldest_waiting_days": "Oldest waiting (days)",
    "oldest_waiting_picture": "Oldest waiting picture",
    "deliverables": "Pictures",
}


def _label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_pct", " %").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
