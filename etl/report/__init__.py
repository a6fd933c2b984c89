"""The weekly report: Excel workbook, email-safe HTML with charts, and sending it by email."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from etl.config import Config
from etl.report.charts import Chart, render_charts
from etl.report.data import ReportData, ReportQueries, load_report_data
from etl.report.email import build_message, fit_message, megabytes, send_message, write_eml
from etl.report.errors import ReportError, SendError
from etl.report.excel import write_workbook
from etl.report.html import render_html, render_text, subject
from etl.report.numbers import ENGLISH, Numbers, numbers_for
from etl.report.period import report_zone
from etl.report.scope import ReportScope, resolve_scope
from etl.report.source import open_report_source

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "html")


@dataclass
class PreparedReport:
    """The report's data and charts, with the open queries the workbook streams from."""

    scope: ReportScope
    data: ReportData
    charts: list[Chart]
    queries: ReportQueries
    as_of: datetime
    deliverables: bool
    numbers: Numbers = ENGLISH

    def stem(self) -> str:
        return f"shotlist-{self.scope.slug()}-{self.as_of:%Y-%m-%d}"


@dataclass
class SendOutcome:
    subject: str
    recipients: list[str]
    files: list[Path] = field(default_factory=list)
    eml: Path | None = None
    # What the mail carries: "workbook", "without_deliverables" (over the cap) or "nothing".
    attached: str = "workbook"

    def __str__(self) -> str:
        done = (
            f"wrote {self.eml} (not sent)"
            if self.eml is not None
            else f"sent to {', '.join(self.recipients)}"
        )
        if self.attached == "without_deliverables":
            return (
                f"{done}; attached the workbook without Deliverables ([report] max_attachment_mb)"
            )
        if self.attached == "nothing":
            return f"{done}; no workbook attached ([report] max_attachment_mb)"
        return done


@contextmanager
def prepare_report(
    config: Config,
    scope: ReportScope,
    *,
    as_of: datetime | None = None,
    deliverables: bool | None = None,
) -> Iterator[PreparedReport]:
    """Open the published data read-only, query it in scope, draw the charts."""
    zone = report_zone(config.report.timezone)
    numbers = numbers_for(config.report.locale)
    as_of = as_of or datetime.now(zone)
    source = open_report_source(config)
    try:
        queries = ReportQueries(source.con, scope, notes=source.notes)
        title = scope.title or (
            f"{config.report.title}: {scope.profile}" if scope.profile else config.report.title
        )
        data = load_report_data(
            queries,
            title=title,
            as_of=as_of,
            stale_after_hours=config.report.stale_after_hours,
            zone=zone,
        )
        with_deliverables = (
            deliverables
            if deliverables is not None
            else scope.deliverables_sheet
            if scope.deliverables_sheet is not None
            else config.report.deliverables_sheet
        )
        yield PreparedReport(
            scope,
            data,
            render_charts(data),
            queries,
            data.header.generated_at,
            with_deliverables,
            numbers,
        )
    finally:
        source.close()


def _formats(formats: Iterable[str]) -> list[str]:
    chosen = [f.strip().lower() for f in formats if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ReportError(
            f"--format {','.join(unknown) or '(empty)'}: unknown format (choose from xlsx, html)"
        )
    return chosen


def _write(prepared: PreparedReport, formats: Sequence[str], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    xlsx_name = f"{prepared.stem()}.xlsx"
    if "xlsx" in formats:
        files.append(
            write_workbook(
                out_dir / xlsx_name,
                prepared.data,
                prepared.queries,
                deliverables=prepared.deliverables,
            )
        )
    if "html" in formats:
        html = render_html(
            prepared.data,
            prepared.charts,
            mode="data",
            attachment=xlsx_name if "xlsx" in formats else None,
            numbers=prepared.numbers,
        )
        path = out_dir / f"{prepared.stem()}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    return files


def write_report(
    config: Config,
    profile: str | None = None,
    formats: Iterable[str] = FORMATS,
    out_dir: Path | None = None,
    *,
    where: Iterable[str] = (),
    collections: Iterable[str] = (),
    as_of: datetime | None = None,
    deliverables: bool | None = None,
) -> list[Path]:
    """Write the report files (xlsx and/or standalone html); returns their paths."""
    chosen = _formats(formats)
    scope = resolve_scope(config, profile, where, collections)
    target = out_dir or config.resolve(config.report.out_dir)
    with prepare_report(config, scope, as_of=as_of, deliverables=deliverables) as prepared:
        files = _write(prepared, chosen, target)
    for path in files:
        log.info("wrote %s", path)
    return files


def send_report(
    config: Config,
    profile: str | None = None,
    *,
    to: Sequence[str] = (),
    where: Iterable[str] = (),
    collections: Iterable[str] = (),
    dry_run: bool = False,
    out_dir: Path | None = None,
    as_of: datetime | None = None,
) -> SendOutcome:
    """Render the report and email it (HTML + text, charts inline, workbook attached).

    The mail stays under `[report] max_attachment_mb`: the attached copy drops the Deliverables
    sheet, or no workbook is attached, and the mail says where the full one is. With `dry_run`
    the message is written as `.eml` next to the workbook instead of sent.
    """
    scope = resolve_scope(config, profile, where, collections)
    recipients = list(to) or list(scope.recipients)
    if not recipients:
        raise ReportError(
            "no recipients: give --to ADDRESS"
            + (f" or set recipients in [report.profiles.{profile}]" if profile else "")
        )
    if config.smtp is None and not dry_run:
        where_ = config.path or "configuration"
        raise SendError(f"{where_}: no [smtp] section: cannot send (use --dry-run to write .eml)")
    target = out_dir or config.resolve(config.report.out_dir)
    target.mkdir(parents=True, exist_ok=True)
    with (
        prepare_report(config, scope, as_of=as_of) as prepared,
        tempfile.TemporaryDirectory(prefix=".shotlist-mail-", dir=target) as tmp,
    ):
        files = _write(prepared, ["xlsx"], target)
        title = subject(prepared.data, prepared.numbers)
        sender = config.smtp.from_ if config.smtp else "shotlist@localhost"

        def compose(attachment: Path | None, note: str | None) -> EmailMessage:
            name = attachment.name if attachment else None
            html = render_html(
                prepared.data,
                prepared.charts,
                mode="cid",
                attachment=name,
                mail_note=note,
                numbers=prepared.numbers,
            )
            text = render_text(
                prepared.data,
                prepared.charts,
                attachment=name,
                mail_note=note,
                numbers=prepared.numbers,
            )
            return build_message(
                subject=title,
                sender=sender,
                recipients=recipients,
                text=text,
                html=html,
                charts=prepared.charts,
                attachments=[attachment] if attachment else [],
            )

        def slim() -> Path:
            # Same report without the one-row-per-picture sheet, for the mail only.
            path = Path(tmp) / f"{prepared.stem()}-without-deliverables.xlsx"
            return write_workbook(path, prepared.data, prepared.queries, deliverables=False)

        fitted = fit_message(
            compose,
            files[0],
            limit_mb=config.report.max_attachment_mb,
            slim=slim if prepared.deliverables else None,
        )
        msg = fitted.message
        stem = prepared.stem()
    if fitted.attached != "workbook":
        log.warning(
            "the mail (%s) attaches %s: the workbook is over [report] max_attachment_mb = %g",
            megabytes(fitted.size),
            "the workbook without Deliverables" if fitted.attached != "nothing" else "no workbook",
            config.report.max_attachment_mb,
        )
    if dry_run:
        eml = write_eml(msg, target / f"{stem}.eml")
        return SendOutcome(title, recipients, files, eml, fitted.attached)
    accepted = send_message(config, msg)
    return SendOutcome(title, accepted, files, attached=fitted.attached)


__all__ = [
    "FORMATS",
    "PreparedReport",
    "ReportError",
    "SendError",
    "SendOutcome",
    "prepare_report",
    "send_report",
    "write_report",
]
