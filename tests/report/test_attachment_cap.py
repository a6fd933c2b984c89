"""`[report] max_attachment_mb`: a mail that would be too big drops the Deliverables sheet from
the attached copy, or attaches nothing, and says where the full workbook is (real SMTP server)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from etl.config import Config, parse_config
from etl.report import send_report

from .catalog import AS_OF, build_catalog, catalog_config
from .test_email import Inbox, inbox, parse, smtp_config
from .test_html import parse as parse_html

__all__ = ["inbox"]  # the SMTP server fixture, shared with test_email

MB = 1024 * 1024
# Pictures whose view type is 512 random-looking hex characters: they barely compress, so a
# workbook of 12 MB needs only some 50,000 rows.
NOISY_ROWS = 52_000
NOISY_PICTURES = f"""insert into marts.deliverables
    select 'grandshooting', 'N' || i, 'R' || (1 + i % 9), 'Studio N', 'export', 50,
           'validated', 'validated',
           (select string_agg(md5(i::varchar || '-' || k::varchar), '') from range(16) r(k)),
           2000, 2000, 500000, null, 'jpg', null, null, null
    from range({NOISY_ROWS}) t(i)"""


@pytest.fixture(scope="module")
def big_analytics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "analytics.duckdb"
    build_catalog(path, statements=[NOISY_PICTURES])
    return path


def capped(config: Config, port: int, limit_mb: float) -> Config:
    data = smtp_config(config, port).model_dump(mode="json", by_alias=True, exclude={"path"})
    data["report"]["max_attachment_mb"] = limit_mb
    return parse_config(data, config.path)


def text_of(msg_html: str) -> str:
    return " ".join(" ".join(parse_html(msg_html).text).split())


def test_cap_drops_deliverables_from_the_attached_copy(
    big_analytics: Path, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    config = capped(catalog_config(tmp_path, big_analytics), port, 10)
    outcome = send_report(config, to=["pm@example.com"], out_dir=tmp_path / "out", as_of=AS_OF)
    assert outcome.attached == "without_deliverables"
    assert str(outcome) == (
        "sent to pm@example.com; attached the workbook without Deliverables "
        "([report] max_attachment_mb)"
    )

    # The full workbook stays on disk, over the cap, with its Deliverables sheet.
    [full] = outcome.files
    assert full.stat().st_size > 12 * MB
    assert "Deliverables" in openpyxl.load_workbook(full, read_only=True).sheetnames

    [(_sender, _to, raw)] = handler.messages
    assert len(raw) < 10 * MB
    msg = parse(raw)
    [attachment] = [p for p in msg.iter_attachments() if p.get_filename()]
    assert attachment.get_filename() == "shotlist-all-2025-11-21-without-deliverables.xlsx"
    copy = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert copy.sheetnames == [
        "Summary",
        "Pace",
        "Urgency",
        "Backlog",
        "Coverage",
        "Alerts",
        "Status",
        "About",
    ]
    # The copy's figures are the full workbook's.
    assert copy["Coverage"].max_row == 11
    html = msg.get_body(("html",)).get_content()
    assert (
        "Attachment: The attached workbook leaves out the Deliverables sheet to keep this mail "
        f"under 10 MB; the full workbook ({full.stat().st_size / MB:.1f} MB) is on the report "
        f"machine at {full}."
    ) in text_of(html)
    text = msg.get_body(("plain",)).get_content()
    assert "ATTACHMENT: The attached workbook leaves out the Deliverables sheet" in text
    assert str(full) in text


def test_cap_attaches_nothing_when_even_the_copy_is_too_big(
    config: Config, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    limit = 0.01  # 10 KB: smaller than any workbook, and than the charts themselves
    outcome = send_report(
        capped(config, port, limit), to=["pm@example.com"], out_dir=tmp_path, as_of=AS_OF
    )
    assert outcome.attached == "nothing"
    [(_sender, _to, raw)] = handler.messages
    msg = parse(raw)
    assert [p.get_filename() for p in msg.iter_attachments() if p.get_filename()] == []
    [full] = outcome.files
    html = text_of(msg.get_body(("html",)).get_content())
    assert (
        "Attachment: No workbook is attached: even without its largest sheet it would make this "
        f"mail larger than 0.01 MB. The full workbook ({full.stat().st_size / MB:.1f} MB) is on "
        f"the report machine at {full}."
    ) in html
    assert "attached workbook," not in html


def test_cap_keeps_the_full_workbook_when_it_fits(
    config: Config, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    outcome = send_report(
        capped(config, port, 10), to=["pm@example.com"], out_dir=tmp_path, as_of=AS_OF
    )
    assert outcome.attached == "workbook"
    msg = parse(handler.messages[0][2])
    [attachment] = [p for p in msg.iter_attachments() if p.get_filename()]
    assert attachment.get_filename() == "shotlist-all-2025-11-21.xlsx"
    assert "Deliverables" in openpyxl.load_workbook(io.BytesIO(attachment.get_content())).sheetnames
    assert "Attachment:" not in msg.get_body(("html",)).get_content()
