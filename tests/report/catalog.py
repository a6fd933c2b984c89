"""A small hand-made analytics database (marts + run tables per the issue-3 contract).

The marts the report reads are made from the hand-made ones by the project's own SQL
(`sql/marts/<name>.sql`), except production_status, made from the hand-made status breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from etl.config import Config, parse_config
from etl.models.datatests import TEST_RESULTS_DDL
from etl.models.runner import MODEL_RUNS_DDL
from etl.models.seeds import (
    load_alert_severities,
    load_alert_types,
    read_alert_types,
    read_severities,
)
from etl.resources import ALERT_SEVERITIES, ALERT_TYPES, SEVERITY_ORDER, SQL_DIR

AS_OF = datetime(2025, 11, 21, 8, 0)
TODAY = AS_OF.date()

# Product labels that must stay text: HTML, and the spreadsheet formula-injection prefixes.
EVIL_LABELS = {
    "R4": "<script>alert('x')</script> & co",
    "R5": '=HYPERLINK("http://evil.example","x")',
    "R6": "+41 cmd",
    "R7": "-2+3",
    "R8": "@SUM(A1)",
    "R9": "\tTabbed",
    "R10": "\rCarriage",
}

# (product_key, label, brand, collection, category, expected, captured, in_progress, validated)
PRODUCTS = [
    ("R1", "Trail shoe", "Acme", "SS25", "Shoes", 4, 0, 0, 4),
    ("R2", "City shoe", "Acme", "SS25", "Shoes", 4, 1, 1, 2),
    ("R3", "Tote bag", "Acme", "FW25", "Bags", 3, 0, 0, 0),
    ("R4", EVIL_LABELS["R4"], "Zed", "SS25", "Tops", 5, 0, 2, 1),
    ("R5", EVIL_LABELS["R5"], "Zed", "SS25", "Tops", 5, 0, 0, 5),
    ("R6", EVIL_LABELS["R6"], "Zed", "FW25", "Tops", 5, 2, 0, 0),
    ("R7", EVIL_LABELS["R7"], "Zed", "FW25", "Bags", 3, 0, 1, 3),
    ("R8", EVIL_LABELS["R8"], "Acme", "FW25", "Shoes", 4, 0, 0, 6),
    ("R9", EVIL_LABELS["R9"], "Zed", "SS25", "Tops", 5, 0, 0, 0),
    ("R10", EVIL_LABELS["R10"], "Acme", "SS25", None, 0, 0, 0, 0),
]


# Per-product counts in marts.coverage_history, by snapshot age in days. The snapshot of 14
# days ago was built before the history recorded them (NULL). Today's match the marts below:
# alerts R2 2, R4 2, R7 1 (plus one on no product); for approval P21 (R2) and P41 (R4).
HISTORY_ALERTS: dict[int, dict[str, int] | None] = {
    14: None,
    7: {"R1": 2, "R2": 1, "R4": 3},
    0: {"R2": 2, "R4": 2, "R7": 1},
}
HISTORY_FOR_APPROVAL: dict[int, dict[str, int] | None] = {
    14: None,
    7: {"R2": 1, "R5": 3, "R9": 1},
    0: {"R2": 1, "R4": 1},
}


def coverage_status(expected: int, pictures: int, validated: int, category: str | None) -> str:
    if category is None:
        return "no_guideline"
    if validated >= expected:
        return "complete"
    return "not_started" if pictures == 0 else "in_progress"


def _count(counts: dict[str, int] | None, key: str) -> int | None:
    return None if counts is None else counts.get(key, 0)


# Marts derived from the hand-made ones by the project's SQL, in dependency order.
DERIVED_MARTS = (
    "product_workload",
    "coverage_by_scope",
    "coverage_trend",
    "alerts_by_type",
    "report_alerts",
    "approval_backlog",
    "approval_backlog_age",
    "collection_pace",
    "production_urgency",
    "products_behind",
)


def build_catalog(
    path: Path,
    *,
    deliverables: int = 0,
    history_counts: bool = True,
    statements: Sequence[str] = (),
    deadlines: Mapping[str, date] | None = None,
) -> None:
    """Write marts and meta tables into `path`; `deliverables` adds filler picture rows.

    `history_counts=False` leaves open_alerts and for_approval_images NULL in the history, as
    on days built before the history recorded them. `statements` change the hand-made marts
    before the report's marts are derived from them. `deadlines` is `[report.deadlines]`.
    """
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema meta")
    con.execute(
        """create table marts.shotlist_coverage (
            source varchar, product_key varchar, label varchar, brand varchar,
            collection varchar, category varchar, guideline varchar,
            expected_images bigint, captured_images bigint, in_progress_images bigint,
            validated_images bigint, missing_images bigint, coverage_pct double,
            missing_views varchar[], coverage_status varchar, covered_images bigint)"""
    )
    con.execute("comment on table marts.shotlist_coverage is 'One row per product in scope.'")
    con.execute(
        "comment on column marts.shotlist_coverage.coverage_pct is "
        "'min(validated, expected) / expected; NULL when nothing is expected.'"
    )
    for key, label, brand, coll, cat, exp, cap, prog, val in PRODUCTS:
        pictures = cap + prog + val
        con.execute(
            "insert into marts.shotlist_coverage values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                "grandshooting",
                key,
                label,
                brand,
                coll,
                cat,
                cat and f"{cat} guideline",
                exp,
                cap,
                prog,
                val,
                max(exp - val, 0),
                min(val, exp) / exp if exp else None,
                ["BACK"] if val < exp else [],
                coverage_status(exp, pictures, val, cat),
                min(val, exp) if exp else None,
            ],
        )
    con.execute(
        """create table marts.coverage_history (
            snapshot_date date, source varchar, product_key varchar,
            expected_images bigint, validated_images bigint, missing_images bigint,
            coverage_pct double, coverage_status varchar,
            open_alerts bigint, for_approval_images bigint, covered_images bigint)"""
    )
    # Two weeks ago nothing was validated; a week ago half of today's validated images.
    for days, share in ((14, 0.0), (7, 0.5), (0, 1.0)):
        snapshot = TODAY - timedelta(days=days)
        for key, _l, _b, _c, _cat, exp, _cap, _p, val in PRODUCTS:
            then = int(val * share)
            con.execute(
                "insert into marts.coverage_history values (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    snapshot,
                    "grandshooting",
                    key,
                    exp,
                    then,
                    max(exp - then, 0),
                    min(then, exp) / exp if exp else None,
                    "in_progress",
                    _count(HISTORY_ALERTS[days], key) if history_counts else None,
                    _count(HISTORY_FOR_APPROVAL[days], key) if history_counts else None,
                    min(then, exp) if exp else None,
                ],
            )
    con.execute(
        """create table marts.guideline_alerts (
            source varchar, alert_type varchar, severity varchar, product_key varchar,
            deliverable_key varchar, expected varchar, actual varchar, message varchar)"""
    )
    alerts = [
        ("wrong_dimensions", "error", "R2", "P21", "2000x2000", "1000x1000", "too small"),
        ("wrong_dimensions", "error", "R4", "P41", "2000x2000", "800x800", "<b>tiny</b>"),
        ("missing_view", "warn", "R2", None, "BACK", None, "missing BACK"),
        ("missing_view", "warn", "R4", None, "BACK", None, "=1+1"),
        ("broadcast_error", "error", "R7", "P71", None, None, "broadcast failed"),
        ("unlinked_picture", "warn", None, "P99", None, None, "linked to no reference"),
    ]
    for a in alerts:
        con.execute(
            "insert into marts.guideline_alerts values ('grandshooting',?,?,?,?,?,?,?)", list(a)
        )
    con.execute(
        """create table marts.status_breakdown (
            source varchar, production varchar, shooting_method varchar, brand varchar,
            collection varchar, stage varchar, status_code bigint, status_label varchar,
            status_group varchar, deliverables bigint, share double)"""
    )
    breakdown = [
        ("Studio A week 46", "Acme", "SS25", 50, "validated", 8),
        ("Studio A week 46", "Acme", "SS25", 40, "for_approval", 3),
        ("Studio A week 46", "Acme", "SS25", 10, "captured", 1),
        ("Studio B packshots", "Zed", "SS25", 50, "validated", 6),
        ("Studio B packshots", "Zed", "FW25", 30, "in_progress", 4),
        ("Studio B packshots", "Zed", "FW25", 31, "refused", 2),
    ]
    for prod, brand, coll, code, group, n in breakdown:
        con.execute(
            "insert into marts.status_breakdown values "
            "('grandshooting',?,'packshot',?,?,'export',?,?,?,?,null)",
            [prod, brand, coll, code, group.replace("_", " "), group, n],
        )
    con.execute(
        """create table marts.deliverables (
            source varchar, deliverable_key varchar, product_key varchar, production varchar,
            stage varchar, status_code bigint, status_label varchar, status_group varchar,
            view_type varchar, width bigint, height bigint, file_size bigint,
            icc_profile varchar, file_format varchar, created_at timestamp,
            modified_at timestamp, validated_at timestamp)"""
    )
    con.execute(
        """insert into marts.deliverables values
           ('grandshooting', 'P21', 'R2', 'Studio A week 46', 'export', 40, 'for approval',
            'for_approval', 'FRONT', 1000, 1000, 200000, 'sRGB', 'jpg',
            '2025-11-10 09:00', '2025-11-20 10:00', null),
           ('grandshooting', 'P41', 'R4', 'Studio B packshots', 'export', 40, 'for approval',
            'for_approval', '=cmd|calc', 800, 800, 100000, 'sRGB', 'jpg',
            '2025-10-28 09:00', '2025-11-01 10:00', null),
           ('grandshooting', 'P11', 'R1', 'Studio A week 46', 'export', 50, 'validated',
            'validated', 'FRONT', 2000, 2000, 900000, 'sRGB', 'jpg',
            '2025-11-03 09:00', '2025-11-19 10:00', '2025-11-19 10:00')"""
    )
    if deliverables:
        con.execute(
            """insert into marts.deliverables
               select 'grandshooting', 'F' || i, 'R' || (1 + i % 10), 'Studio ' || (i % 7),
                      'export', 50, 'validated', 'validated', 'V' || (i % 5), 2000, 2000,
                      500000 + i, 'sRGB', 'jpg', timestamp '2025-01-01' + to_minutes(i),
                      timestamp '2025-02-01' + to_minutes(i), null
               from range(?) t(i)""",
            [deliverables],
        )
    # Each deliverable counts for its own product.
    con.execute(
        """create table marts.deliverable_products as
           select source, deliverable_key, product_key, 'reference_id' as link_type
           from marts.deliverables where product_key is not null"""
    )
    for statement in statements:
        con.execute(statement)
    _derive_report_marts(con, deadlines or {})
    _add_sync_tables(con)
    con.execute(MODEL_RUNS_DDL)
    con.execute(
        """insert into meta.model_runs values
           ('b1', 'marts.shotlist_coverage', 'sql/marts/shotlist_coverage.sql', 'table',
            '2025-11-21 06:11', '2025-11-21 06:12', 10, 'ok', null)"""
    )
    con.execute(TEST_RESULTS_DDL)
    con.execute(
        """insert into meta.test_results values
           ('b0', 'not_null_label', 'marts.products', 'label', 'error', 'fail', 9, '[]',
            null, '2025-11-14 06:12'),
           ('b1', 'not_null_label', 'marts.products', 'label', 'warn', 'fail', 2, '[]',
            null, '2025-11-21 06:12'),
           ('b1', 'unique_product_key', 'marts.products', null, 'error', 'pass', 0, '[]',
            null, '2025-11-21 06:12')"""
    )
    con.close()


def _derive_report_marts(con: duckdb.DuckDBPyConnection, deadlines: Mapping[str, date]) -> None:
    """The report's marts, from the hand-made ones, as a build makes them (built at AS_OF)."""
    con.execute("create schema seeds")
    load_alert_severities(con, read_severities(ALERT_SEVERITIES, SEVERITY_ORDER))
    load_alert_types(con, read_alert_types(ALERT_TYPES))
    con.execute(
        """create table seeds.build_settings (
            run_id varchar, build_date date, built_at timestamp, guideline_source varchar)"""
    )
    con.execute("insert into seeds.build_settings values ('b1', ?, ?, 'api')", [TODAY, AS_OF])
    con.execute("create table seeds.deadlines (collection varchar, deadline date)")
    for collection, deadline in deadlines.items():
        con.execute("insert into seeds.deadlines values (?, ?)", [collection, deadline])
    # Columns a build gives these marts that the hand-made ones leave out.
    con.execute("alter table marts.shotlist_coverage add column product_ref varchar")
    con.execute("update marts.shotlist_coverage set product_ref = product_key")
    con.execute("alter table marts.deliverables add column file_name varchar")
    con.execute(
        """alter table marts.deliverables add column coverage_bucket varchar;
           update marts.deliverables set coverage_bucket = case
               when status_group in ('validated', 'published') then 'validated'
               when status_group = 'captured' then 'captured' else 'in_progress' end"""
    )
    # The products behind the coverage rows, and no platform due dates.
    con.execute(
        """create table marts.products as
           select source, product_key, product_ref, label, brand, collection,
                  category as category_path, guideline, true as in_scope
           from marts.shotlist_coverage"""
    )
    con.execute("create schema intermediate")
    con.execute(
        """create table intermediate.product_deadlines (
            source varchar, product_key varchar, deadline date, deadline_source varchar)"""
    )
    for name in DERIVED_MARTS:
        sql = (SQL_DIR / "marts" / f"{name}.sql").read_text(encoding="utf-8")
        con.execute(f"create table marts.{name} as {sql}")
    con.execute("drop schema seeds cascade")
    con.execute("drop schema intermediate cascade")
    # The hand-made breakdown has no deliverable rows behind it: its counts, per production.
    con.execute(
        """create table marts.production_status as
           select source, production, brand, collection, null::varchar as category,
                  null::varchar as guideline, status_code,
                  status_group, sum(deliverables) as deliverables
           from marts.status_breakdown group by all"""
    )


def _add_sync_tables(con: duckdb.DuckDBPyConnection) -> None:
    """meta.sync_runs and meta.sync_state as the build publishes them (`pass` left out)."""
    con.execute(
        """create table meta.sync_runs (
            run_id varchar, source varchar, scope varchar, resource varchar, mode varchar,
            started_at timestamp, ended_at timestamp, pages bigint, rows bigint,
            status varchar, error varchar)"""
    )
    con.execute(
        """insert into meta.sync_runs values
           ('r1', 'grandshooting', '0', 'pictures', 'incremental',
            '2025-11-21 06:00', '2025-11-21 06:10', 12, 1200, 'ok', null),
           ('r1', 'grandshooting', '0', 'references', 'incremental',
            '2025-11-21 06:00', '2025-11-21 06:05', 3, 300, 'ok', null)"""
    )
    con.execute(
        """create table meta.sync_state (
            source varchar, scope varchar, resource varchar, watermark timestamp,
            last_success_at timestamp, last_full_at timestamp)"""
    )
    con.execute(
        """insert into meta.sync_state values
           ('grandshooting', '0', 'pictures', '2025-11-21 05:58', '2025-11-21 06:10',
            '2025-11-17 02:00'),
           ('grandshooting', '0', 'references', '2025-11-20 18:00', '2025-11-21 06:05',
            '2025-11-17 02:00')"""
    )


def catalog_config(folder: Path, analytics: Path) -> Config:
    """A config reading `analytics`, with two report profiles (zed, acme-ss25)."""
    return parse_config(
        {
            "warehouse": {
                "path": str(folder / "warehouse.duckdb"),
                "analytics_path": str(analytics),
            },
            "report": {
                "out_dir": str(folder / "out"),
                "stale_after_hours": 24,
                "profiles": {
                    "zed": {
                        "title": "Zed weekly",
                        "where": {"brand": "Zed"},
                        "recipients": ["zed-team@example.com"],
                    },
                    "acme-ss25": {"where": {"brand": ["Acme"]}, "collections": ["SS25"]},
                },
            },
        },
        folder / "shotlist.toml",
    )
