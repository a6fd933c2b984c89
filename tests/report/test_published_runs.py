"""The report reads extraction times from the run tables the build publishes, not the warehouse."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.lock import read_lock
from etl.report import write_report
from etl.report.html import fmt_dt
from tests.models.synced import synced_and_built

HOLDER = """
import sys
from etl.lock import warehouse_lock
with warehouse_lock(sys.argv[1], "sync"):
    print("ready", flush=True)
    sys.stdin.read()
"""


def test_header_shows_published_extraction_time_while_a_sync_holds_the_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = synced_and_built(tmp_path, monkeypatch)
    analytics = duckdb.connect(str(config.resolve(config.warehouse.analytics_path)), read_only=True)
    [(extracted,)] = analytics.execute(
        "select max(ended_at) from meta.sync_runs where status in ('ok', 'warning')"
    ).fetchall()
    watermarks = dict(
        analytics.execute("select resource, watermark from meta.sync_state").fetchall()
    )
    analytics.close()
    assert isinstance(extracted, datetime)
    warehouse = config.resolve(config.warehouse.path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        xlsx, html = write_report(
            config,
            formats=["xlsx", "html"],
            out_dir=tmp_path / "out",
            as_of=extracted + timedelta(hours=1),
        )
        # The report neither waited for the lock nor took it.
        held = read_lock(warehouse)
        assert held is not None and held.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()

    text = " ".join(re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8")).split())
    assert f"Data extracted {fmt_dt(extracted)}" in text
    assert "not shown" not in text and "No successful sync" not in text

    about = openpyxl.load_workbook(xlsx)["About"]
    info = {r[0].value: r[1].value for r in about.iter_rows(max_col=2, max_row=10)}
    # Excel keeps milliseconds.
    assert abs(info["Last successful sync"] - extracted) < timedelta(milliseconds=1)
    first, last = about.tables["Extractions"].ref.split(":")
    cells = about[first:last]
    header = [c.value for c in cells[0]]
    assert header[:3] == ["source", "scope", "resource"]
    assert header[-2:] == ["last_success_at", "watermark"]
    rows = {row[2].value: row for row in cells[1:]}
    assert set(rows) == set(watermarks)
    pictures = rows["pictures"]
    assert pictures[4].value == "ok"
    assert watermarks["pictures"] is not None
    assert abs(pictures[-1].value - watermarks["pictures"]) < timedelta(milliseconds=1)
