"""Sending: the message a real SMTP server on loopback receives, failures, and `--dry-run`."""

from __future__ import annotations

import email
import io
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from etl.cli import cli
from etl.config import Config, parse_config
from etl.report import SendError, send_report

from .catalog import AS_OF, build_catalog


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right-password"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield handler, controller.port
    controller.stop()


def smtp_config(config: Config, port: int, **smtp: Any) -> Config:
    data = config.model_dump(mode="json", by_alias=True, exclude={"path"})
    data["smtp"] = {"host": "127.0.0.1", "port": port, "security": "none", "from": "r@x.test"}
    data["smtp"].update(smtp)
    return parse_config(data, config.path)


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_send_delivers_multipart_message(
    config: Config, inbox: tuple[Inbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = inbox
    monkeypatch.setenv("SHOTLIST_SMTP_PASSWORD", "right-password")
    cfg = smtp_config(config, port, username="reports", password_env="SHOTLIST_SMTP_PASSWORD")
    outcome = send_report(cfg, "zed", out_dir=tmp_path, as_of=AS_OF)
    assert outcome.recipients == ["zed-team@example.com"]

    [(sender, recipients, raw)] = handler.messages
    assert sender == "r@x.test" and recipients == ["zed-team@example.com"]
    msg = parse(raw)
    assert msg["Subject"].startswith(
        "Zed weekly, last 7 days (Sat 15 Nov – Fri 21 Nov 2025): coverage "
    )
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert "KEY FIGURES" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    assert len(body.encode("utf-8")) < 100_000
    cids = {img["Content-ID"].strip("<>") for img in images}
    assert cids == {
        "coverage@shotlist.report",
        "status@shotlist.report",
        "progress@shotlist.report",
    }
    for img in images:
        assert img.get_content_type() == "image/png"
        assert img.get_content().startswith(b"\x89PNG")
        assert f'src="cid:{img["Content-ID"].strip("<>")}"' in body
    assert 'alt="Bar chart of coverage by category' in body

    assert attachment.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert attachment.get_filename() == "shotlist-zed-2025-11-21.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    coverage = workbook["Coverage"]
    assert sorted(c.value for c in coverage["B"][1:]) == ["R4", "R5", "R6", "R7", "R9"]


def test_send_authentication_failure_is_one_line(
    config: Config, inbox: tuple[Inbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = inbox
    monkeypatch.setenv("SHOTLIST_SMTP_PASSWORD", "wrong-password")
    cfg = smtp_config(config, port, username="reports", password_env="SHOTLIST_SMTP_PASSWORD")
    with pytest.raises(SendError) as excinfo:
        send_report(cfg, "zed", out_dir=tmp_path, as_of=AS_OF)
    message = str(excinfo.value)
    assert message.startswith(f"SMTP server 127.0.0.1:{port}: authentication failed")
    assert "'reports'" in message and "535" in message
    assert "wrong-password" not in message and "\n" not in message
    assert handler.messages == []


def test_send_connection_refused_is_one_line(config: Config, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(SendError) as excinfo:
        send_report(smtp_config(config, port), "zed", out_dir=tmp_path, as_of=AS_OF)
    assert str(excinfo.value) == f"SMTP server 127.0.0.1:{port}: cannot connect: Connection refused"


def test_send_needs_recipients(config: Config, inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no recipients: give --to ADDRESS"):
        send_report(smtp_config(config, inbox[1]), out_dir=tmp_path, as_of=AS_OF)


def write_toml(tmp_path: Path, analytics: Path, smtp_port: int | None = None) -> Path:
    lines = [
        "[warehouse]",
        f'path = "{tmp_path / "warehouse.duckdb"}"',
        f'analytics_path = "{analytics}"',
        "[report]",
        f'out_dir = "{tmp_path / "out"}"',
        "[report.profiles.zed]",
        'where = { brand = "Zed" }',
        'recipients = ["zed-team@example.com"]',
    ]
    if smtp_port is not None:
        lines += [
            "[smtp]",
            'host = "127.0.0.1"',
            f"port = {smtp_port}",
            'security = "none"',
            'username = "reports"',
            'password_env = "SHOTLIST_SMTP_PASSWORD"',
            'from = "reports@example.com"',
        ]
    path = tmp_path / "shotlist.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_send_dry_run_writes_eml(tmp_path: Path) -> None:
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics)
    toml = write_toml(tmp_path, analytics)
    result = CliRunner().invoke(
        cli, ["--config", str(toml), "send", "--to", "a@example.com", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    [eml] = (tmp_path / "out").glob("*.eml")
    assert f"wrote {eml} (not sent)" in result.output
    msg = parse(eml.read_bytes())
    assert msg["To"] == "a@example.com"
    assert [p.get_content_type() for p in msg.walk()][:4] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
    ]


def test_cli_send_auth_failure_exits_nonzero_with_one_line(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics)
    toml = write_toml(tmp_path, analytics, smtp_port=inbox[1])
    monkeypatch.setenv("SHOTLIST_SMTP_PASSWORD", "nope-nope")
    result = CliRunner().invoke(cli, ["--config", str(toml), "send", "zed"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: SMTP server 127.0.0.1:")
    assert "authentication failed for user 'reports'" in lines[0]
    assert "nope-nope" not in result.output


def test_cli_send_missing_password_variable(tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    analytics = tmp_path / "analytics.duckdb"
    build_catalog(analytics)
    toml = write_toml(tmp_path, analytics, smtp_port=inbox[1])
    result = CliRunner(env={"SHOTLIST_SMTP_PASSWORD": ""}).invoke(
        cli, ["--config", str(toml), "send", "zed"]
    )
    assert result.exit_code == 1
    assert "environment variable SHOTLIST_SMTP_PASSWORD is not set" in result.output
