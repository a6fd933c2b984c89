"""Renders the report's HTML (email-safe: inline styles, tables, no scripts) and plain text."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from etl.report.charts import Chart
from etl.report.data import Kpi, ReportData
from etl.report.numbers import ENGLISH, NONE, Numbers
from etl.resources import REPORT_TEMPLATES

TEMPLATES = REPORT_TEMPLATES
TABLE_ROWS = 8  # rows per table in the message; the workbook has them all

# Inline styles: email clients drop <style> blocks, so every element carries its own.
CSS = {
    "font": "font-family:Arial,Helvetica,sans-serif;color:#1f2933;",
    "h2": (
        "margin:28px 0 8px 0;font-size:17px;line-height:22px;font-weight:bold;color:#1f2933;"
        "font-family:Arial,Helvetica,sans-serif;"
    ),
    "muted": (
        "color:#616e7c;font-size:12px;line-height:18px;font-family:Arial,Helvetica,sans-serif;"
    ),
    "table": (
        "border-collapse:collapse;width:100%;font-size:13px;font-family:Arial,Helvetica,sans-serif;"
    ),
    "th": (
        "padding:6px 8px;font-size:11px;line-height:14px;color:#52606d;"
        "text-transform:uppercase;border-bottom:2px solid #cbd2d9;"
    ),
    "td": "padding:5px 8px;border-bottom:1px solid #e4e7eb;",
}
BAND_COLOURS = {"good": "#1b7f45", "mid": "#9a6700", "bad": "#b42318", "none": "#616e7c"}
SEVERITY_COLOURS = {"error": "#b42318", "warn": "#9a6700", "warning": "#9a6700"}


def fmt_dt(value: Any) -> str:
    """`Fri 21 Nov 2025, 06:10 CET`: an aware time carries its zone."""
    if value is None:
        return "never"
    if isinstance(value, datetime):
        zone = f" {value.tzname()}" if value.tzinfo is not None else ""
        return f"{value:%a} {value.day} {value:%b %Y, %H:%M}{zone}"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


class Formats:
    """The template filters that write numbers, bound to one locale's separators."""

    def __init__(self, numbers: Numbers = ENGLISH) -> None:
        self.numbers = numbers

    def value(self, value: Any, kind: str) -> str:
        if value is None:
            return NONE
        if kind == "pct":
            return self.numbers.pct(value)
        if kind == "int":
            return self.numbers.integer(value)
        if kind == "float":
            return self.numbers.number(value)
        if kind in ("date", "datetime"):
            return fmt_dt(value)
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)

    def kpi_value(self, kpi: Kpi) -> str:
        return self.numbers.pct(kpi.value) if kpi.kind == "pct" else self.numbers.integer(kpi.value)

    def change(self, kpi: Kpi) -> str:
        """`▲ 12`, `▼ 3.1 pts`, `= no change` or `no comparison yet`."""
        if kpi.change is None:
            return "no comparison yet"
        if kpi.change == 0:
            return "= no change"
        arrow = "▲" if kpi.change > 0 else "▼"
        if kpi.kind == "pct":
            return f"{arrow} {self.numbers.points(kpi.change)}"
        return f"{arrow} {self.numbers.integer(abs(kpi.change))}"


def change_colour(kpi: Kpi) -> str:
    if not kpi.change:
        return BAND_COLOURS["none"]
    good = (kpi.change > 0) == kpi.up_is_good
    return BAND_COLOURS["good" if good else "bad"]


def coverage_colour(value: Any) -> str:
    if value is None:
        return BAND_COLOURS["none"]
    if value >= 1:
        return BAND_COLOURS["good"]
    return BAND_COLOURS["mid"] if value >= 0.5 else BAND_COLOURS["bad"]


def severity_colour(value: Any) -> str:
    return SEVERITY_COLOURS.get(str(value).lower(), BAND_COLOURS["none"])


def environment(templates: Path = TEMPLATES, numbers: Numbers = ENGLISH) -> Environment:
    """The one template environment: HTML autoescaped, undefined names are errors."""
    formats = Formats(numbers)
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        int=numbers.integer,
        pct=numbers.pct,
        num=numbers.number,
        dt=fmt_dt,
        value=formats.value,
        kpi_value=formats.kpi_value,
        change=formats.change,
        change_colour=change_colour,
        coverage_colour=coverage_colour,
        severity_colour=severity_colour,
    )
    return env


def image_sources(charts: Sequence[Chart], mode: Literal["data", "cid"]) -> dict[str, str]:
    """Chart name -> `src`: inline data URIs for a standalone file, `cid:` refs for email."""
    if mode == "cid":
        return {c.name: f"cid:{c.cid}" for c in charts}
    return {
        c.name: "data:image/png;base64," + base64.b64encode(c.png).decode("ascii") for c in charts
    }


def _context(
    data: ReportData,
    charts: Sequence[Chart],
    images: Mapping[str, str],
    attachment: str | None,
    mail_note: str | None = None,
) -> dict[str, Any]:
    return {
        "data": data,
        "header": data.header,
        "charts": {c.name: c for c in charts},
        "images": images,
        "css": CSS,
        "rows": TABLE_ROWS,
        "attachment": attachment,
        "mail_note": mail_note,
    }


def render_html(
    data: ReportData,
    charts: Sequence[Chart],
    *,
    mode: Literal["data", "cid"] = "data",
    attachment: str | None = None,
    mail_note: str | None = None,
    numbers: Numbers = ENGLISH,
    env: Environment | None = None,
) -> str:
    env = env or environment(numbers=numbers)
    context = _context(data, charts, image_sources(charts, mode), attachment, mail_note)
    return env.get_template("weekly.html").render(context)


def render_text(
    data: ReportData,
    charts: Sequence[Chart],
    *,
    attachment: str | None = None,
    mail_note: str | None = None,
    numbers: Numbers = ENGLISH,
    env: Environment | None = None,
) -> str:
    env = env or environment(numbers=numbers)
    context = _context(data, charts, {}, attachment, mail_note)
    return env.get_template("weekly.txt").render(context)


def subject(data: ReportData, numbers: Numbers = ENGLISH) -> str:
    """Period and headline figures.

    E.g. `Shotlist, week 47 (Mon 17 Nov – Sun 23 Nov 2025): coverage 62% (▲ 3.1 pts), ...`.
    """
    h = data.header
    formats = Formats(numbers)
    coverage = data.kpi("coverage")
    validated = data.kpi("validated_week")
    alerts = data.kpi("alerts")
    parts = [f"coverage {numbers.pct(coverage.value)}"]
    if coverage.change:
        parts[-1] += f" ({formats.change(coverage)})"
    if validated.value is not None:
        parts.append(f"{numbers.integer(validated.value)} validated this week")
    parts.append(f"{numbers.integer(alerts.value)} open alerts")
    return f"{h.title}, {h.period.name().lower()} ({h.period.days()}): " + ", ".join(parts)
