"""Report scope: profiles, `--where` / `--collection`, bad filters, and where the data is read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.config import Config, parse_config
from etl.report import ReportError, prepare_report, write_report
from etl.report.scope import ReportScope, parse_where, resolve_scope

from .catalog import AS_OF, build_catalog


def test_scope_parse_where_groups_values_by_column() -> None:
    assert parse_where(["brand=Acme", "brand = Zed", "collection=SS25"]) == {
        "brand": ("Acme", "Zed"),
        "collection": ("SS25",),
    }
    with pytest.raises(ReportError, match="expected COLUMN=VALUE"):
        parse_where(["brand"])


def test_scope_profile_combined_with_command_line(config: Config) -> None:
    scope = resolve_scope(config, "acme-ss25")
    assert scope.where == {"brand": ("Acme",), "collection": ("SS25",)}
    narrowed = resolve_scope(config, "zed", collections=["FW25"])
    assert narrowed.where == {"brand": ("Zed",), "collection": ("FW25",)}
    assert narrowed.recipients == ("zed-team@example.com",)
    assert narrowed.label() == "brand = Zed; collection = FW25"
    with pytest.raises(ReportError, match=r"report profile 'nope' not found .*acme-ss25, zed"):
        resolve_scope(config, "nope")


def test_scope_filters_kpis(config: Config) -> None:
    scope = resolve_scope(config, "acme-ss25")
    with prepare_report(config, scope, as_of=AS_OF) as prepared:
        data = prepared.data
    # R1 (4/4), R2 (2/4), R10 (no guideline): 6 of 8 expected images covered.
    assert data.kpi("products").value == 3
    assert data.kpi("coverage").value == pytest.approx(6 / 8)
    assert data.kpi("missing").value == 2
    assert data.kpi("alerts").value == 2  # R2's two alerts; the unlinked picture is out of scope
    assert data.kpi("backlog").value == 1  # P21 (R2) is waiting for approval
    assert data.header.scope_label == "brand = Acme; collection = SS25"


def test_scope_unknown_filter_column_is_one_clear_line(config: Config) -> None:
    with pytest.raises(ReportError) as excinfo:
        write_report(config, where=["brnd=Acme"], as_of=AS_OF)
    message = str(excinfo.value)
    assert message.startswith("filter 'brnd': no such column in marts.shotlist_coverage")
    assert "brand" in message and "\n" not in message


def test_report_without_published_marts_says_to_build(tmp_path: Path) -> None:
    config = parse_config({"warehouse": {"analytics_path": str(tmp_path / "none.duckdb")}}, None)
    with pytest.raises(ReportError, match="no published analytics database yet"):
        write_report(config, out_dir=tmp_path)


def split_catalog(tmp_path: Path) -> Config:
    """Analytics file with marts only, run tables in the warehouse: as older builds published."""
    full = tmp_path / "full.duckdb"
    build_catalog(full)
    analytics, warehouse = tmp_path / "analytics.duckdb", tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(full))
    for target, schema in ((analytics, "marts"), (warehouse, "meta")):
        con.execute(f"attach '{target}' as out")
        con.execute(f"create schema out.{schema}")
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'full' "
            "and schema_name = ?",
            [schema],
        ).fetchall():
            con.execute(f"create table out.{schema}.{table} as select * from {schema}.{table}")
        con.execute("detach out")
    con.close()
    return parse_config(
        {"warehouse": {"path": str(warehouse), "analytics_path": str(analytics)}}, None
    )


def test_report_reads_run_tables_from_idle_warehouse(tmp_path: Path) -> None:
    config = split_catalog(tmp_path)
    with prepare_report(config, ReportScope(), as_of=AS_OF) as prepared:
        header = prepared.data.header
    assert header.last_sync_at is not None and header.last_sync_at.hour == 6
    assert [t.name for t in header.failing_tests] == ["not_null_label"]
    assert header.notes == []


HOLDER = """
import sys
from etl.lock import warehouse_lock
with warehouse_lock(sys.argv[1], "sync"):
    print("ready", flush=True)
    sys.stdin.read()
"""


def test_report_never_waits_for_a_running_sync(tmp_path: Path) -> None:
    config = split_catalog(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(config.warehouse.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with prepare_report(config, ReportScope(), as_of=AS_OF) as prepared:
            header = prepared.data.header
            assert prepared.data.kpi("products").value == 10  # the marts are all there
    finally:
        holder.kill()
        holder.wait()
    assert header.last_sync_at is None
    assert header.notes == [
        "Extraction and build times are not shown: a shotlist process was writing "
        "the warehouse when this report was made."
    ]
