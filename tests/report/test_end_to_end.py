"""`shotlist run` for real on the simulator: sync, build, report and send, figures reconciled."""

from __future__ import annotations

import email
import io
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from aiosmtpd.controller import Controller

from etl.config import Config, parse_config
from etl.pipeline import ExitCode, run_pipeline
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog

from .test_email import Inbox, free_port

TOKEN_ENV = "SHOTLIST_E2E_GS_TOKEN"
TOKEN = "e2e-token-not-secret"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_run_syncs_builds_reports_and_sends(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = inbox
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    catalog = generate_catalog(CatalogSpec(references=150, seed=7))
    simulator = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    with simulator.serve(host="127.0.0.1", port=0) as server:
        config: Config = parse_config(
            {
                "warehouse": {
                    "path": str(tmp_path / "warehouse.duckdb"),
                    "analytics_path": str(tmp_path / "analytics.duckdb"),
                },
                "sources": {
                    "grandshooting": {
                        "base_url": server.base_url,
                        "token_env": TOKEN_ENV,
                        "rate_limit": 0,
                    }
                },
                "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "from": "r@x.t"},
                "report": {
                    "out_dir": str(tmp_path / "out"),
                    "run_profiles": ["everyone"],
                    "profiles": {"everyone": {"recipients": ["team@example.com"]}},
                },
            },
            tmp_path / "shotlist.toml",
        )
        result = run_pipeline(config)
    assert result.exit_code == ExitCode.OK, [(s.name, s.detail) for s in result.steps]
    assert [s.name for s in result.steps] == ["sync", "build", "report everyone", "send everyone"]
    xlsx, html = result.files
    assert (xlsx.suffix, html.suffix) == (".xlsx", ".html")
    assert len(html.read_bytes()) < 100_000

    con = duckdb.connect(str(tmp_path / "analytics.duckdb"), read_only=True)
    products = one(con, "select count(*) from marts.shotlist_coverage")
    validated = one(con, "select sum(validated_images) from marts.shotlist_coverage")
    alerts = one(con, "select count(*) from marts.guideline_alerts")
    deliverables = one(
        con,
        """select count(*) from marts.deliverables d
           where d.product_key is null or exists (
               select 1 from marts.shotlist_coverage c
               where c.source = d.source and c.product_key = d.product_key)""",
    )
    con.close()
    assert products > 0 and deliverables > 0

    wb = openpyxl.load_workbook(xlsx)
    coverage = wb["Coverage"]
    header = [c.value for c in coverage[1]]
    assert coverage.max_row - 1 == products
    column = header.index("Images validated") + 1
    assert (
        sum(
            r[0] or 0
            for r in coverage.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True)
        )
        == validated
    )
    assert wb["Deliverables"].max_row - 1 == deliverables
    assert wb["Alerts"].max_row - 1 == alerts
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Products in scope"] == products
    assert summary["Open alerts"] == alerts

    [(_, recipients, raw)] = handler.messages
    assert recipients == ["team@example.com"]
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    assert "coverage" in msg["Subject"]
    attachment = next(p for p in msg.walk() if p.get_filename() == xlsx.name)
    sent = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert sent["Coverage"].max_row - 1 == products
