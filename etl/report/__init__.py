"""The weekly report: Excel workbook, email-safe HTML with charts, and sending it by email."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.config import Config
from etl.report.charts import Chart, render_charts
from etl.report.data import ReportData, ReportQueries, load_report_data
from etl.report.email import build_message, send_message, write_eml
from etl.report.errors import ReportError, SendError
from etl.report.excel import write_workbook
from etl.report.html import render_html, render_text, subject
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

    def stem(self) -> str:
        return f"shotlist-{self.scope.slug()}-{self.as_of:%Y-%m-%d}"


@dataclass
class SendOutcome:
    subject: str
    recipients: list[str]
    files: list[Path] = field(default_factory=list)
    eml: Path | None = None

    def __str__(self) -> str:
        if self.eml is not None:
            return f"wrote {self.eml} (not sent)"
        return f"sent to {', '.join(self.recipients)}"


@contextmanager
def prepare_report(
    config: Config,
    scope: ReportScope,
    *,
    as_of: datetime | None = None,
    deliverables: bool | None = None,
) -> Iterator[PreparedReport]:
    """Open the published data read-only, query it in scope, draw the charts."""
    as_of = as_of or datetime.now()
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
        )
        with_deliverables = (
            deliverables
            if deliverables is not None
            else scope.deliverables_sheet
            if scope.deliverables_sheet is not None
            else config.report.deliverables_sheet
        )
        yield PreparedReport(scope, data, render_charts(data), queries, as_of, with_deliverables)
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

    With `dry_run` the message is written as `.eml` next to the workbook instead of sent.
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
    with prepare_report(config, scope, as_of=as_of) as prepared:
        files = _write(prepared, ["xlsx"], target)
        html = render_html(prepared.data, prepared.charts, mode="cid", attachment=files[0].name)
        text = render_text(prepared.data, prepared.charts, attachment=files[0].name)
        title = subject(prepared.data)
        sender = config.smtp.from_ if config.smtp else "shotlist@localhost"
        msg = build_message(
            subject=title,
            sender=sender,
            recipients=recipients,
            text=text,
            html=html,
            charts=prepared.charts,
            attachments=files,
        )
        stem = prepared.stem()
    if dry_run:
        eml = write_eml(msg, target / f"{stem}.eml")
        return SendOutcome(title, recipients, files, eml)
    accepted = send_message(config, msg)
    return SendOutcome(title, accepted, files)


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
