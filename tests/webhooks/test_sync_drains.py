"""`shotlist sync` applies the spooled events first, under its own lock, as a webhook run row;
a spool it cannot read is a warning, and the sync goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.config import Config
from etl.simulators.grandshooting import Catalog
from etl.webhooks.service import Listener
from tests.webhooks.helpers import assert_same, hook_url, send, spool_rows, spooling, warehouse


@pytest.fixture
def listener(synced: Config, monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    yield from spooling(synced, monkeypatch)


def shotlist(config_path: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr: where the log goes)."""
    result = CliRunner().invoke(cli, ["--config", str(config_path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_sync_applies_spooled_events_first_as_a_webhook_run(
    listener: Listener, synced: Config, config_path: Path, catalog: Catalog
) -> None:
    url = hook_url(listener)
    catalog.advance(hours=1)
    picture = catalog.records("pictures")[0]["picture_id"]
    catalog.update_pictures([picture], picturestatus=50)
    changed = next(p for p in catalog.records("pictures") if p["picture_id"] == picture)
    assert send(url, "pictures/update", changed)
    gone = catalog.records("references")[-1]
    catalog.delete_references([gone["reference_id"]])
    assert send(url, "references/delete", gone)

    code, output, _ = shotlist(config_path, "sync", "grandshooting")
    assert code == 0, output
    first = output.splitlines()[0]
    assert first == "webhooks applied first: 2 messages, 2 rows landed, 1 marked deleted"
    assert [row[4] for row in spool_rows(synced)] == ["applied", "applied"]
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
        webhook_runs = con.execute(
            "select resource, scope, pages, rows, status from meta.sync_runs "
            "where mode = 'webhook' order by resource"
        ).fetchall()
    finally:
        con.close()
    assert webhook_runs == [("pictures", "0", 1, 1, "ok"), ("references", "0", 1, 1, "ok")]

    # `shotlist runs`: the webhook batch is its own run, listed with mode 'webhook'.
    code, output, _ = shotlist(config_path, "runs", "--limit", "2")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == [
        "run", "started", "resource", "mode", "status", "rows", "pages", "took", "error",
    ]  # fmt: skip
    modes = {(line.split()[3], line.split()[4]) for line in lines[1:]}
    webhook = [line.split() for line in lines[1:] if line.split()[4] == "webhook"]
    assert [(w[3], w[5], w[6], w[7]) for w in webhook] == [
        ("grandshooting.pictures", "ok", "1", "1"),
        ("grandshooting.references", "ok", "1", "1"),
    ], modes
    assert webhook[0][0].startswith("webhook-")


def test_sync_goes_on_when_the_spool_cannot_be_read(
    synced: Config, config_path: Path, catalog: Catalog
) -> None:
    spool = synced.resolve(synced.warehouse.path).with_name("webhooks.sqlite")
    spool.write_bytes(b"this is not a database" * 100)
    catalog.advance(hours=1)
    picture = catalog.records("pictures")[1]["picture_id"]
    catalog.update_pictures([picture], picturestatus=50)

    code, output, log = shotlist(config_path, "sync", "grandshooting")
    assert code == 0, output + log
    assert not output.startswith("webhooks applied first")
    warnings = [line for line in log.splitlines() if " WARNING etl.webhooks: " in line]
    assert len(warnings) == 1, log
    assert warnings[0].split(" etl.webhooks: ", 1)[1] == (
        f"{spool}: webhook events not applied before the sync (kept): file is not a database"
    )
    con = warehouse(synced)
    try:
        assert_same(con, catalog)
    finally:
        con.close()
