"""The HTML report: escaped, email-safe (inline styles, no scripts or remote resources), small."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.config import Config
from etl.report import prepare_report, write_report
from etl.report.html import render_html, render_text, subject
from etl.report.scope import ReportScope

from .catalog import AS_OF


class Collector(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


@pytest.fixture
def html(config: Config, tmp_path: Path) -> str:
    [path] = write_report(config, formats=["html"], out_dir=tmp_path, as_of=AS_OF)
    assert path.name == "shotlist-all-2025-11-21.html"
    return path.read_text(encoding="utf-8")


@pytest.fixture
def email_html(config: Config) -> Iterator[str]:
    with prepare_report(config, ReportScope(), as_of=AS_OF) as prepared:
        yield render_html(prepared.data, prepared.charts, mode="cid", attachment="r.xlsx")


def test_html_escapes_product_names(html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    # An alert's own text is in the workbook; the message names it in words ("Wrong image size").
    assert "<b>" not in html
    text = "".join(parse(html).text)
    assert "<script>alert('x')</script> & co" in text


def test_html_is_email_safe(html: str) -> None:
    doc = parse(html)
    tags = {tag for tag, _ in doc.tags}
    assert not tags & {"script", "style", "link", "iframe", "object", "embed", "form"}
    assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)
    assert all("class" not in attrs for _, attrs in doc.tags)
    widths = [attrs.get("width") for tag, attrs in doc.tags if tag == "table"]
    assert "640" in widths
    for _, attrs in doc.tags:
        for name in ("src", "href", "background"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), value
    assert "url(" not in html
    fonts = set(re.findall(r"font-family:([^;\"]+)", html))
    assert fonts == {"Arial,Helvetica,sans-serif"}
    assert len(html.encode("utf-8")) < 100_000


def test_html_standalone_inlines_charts_with_alt_text(html: str) -> None:
    images = [attrs for tag, attrs in parse(html).tags if tag == "img"]
    assert len(images) == 3
    for attrs in images:
        src = attrs["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
        assert (attrs.get("alt") or "").startswith(("Bar chart", "Stacked bar", "Chart of"))
    alts = " ".join(a["alt"] or "" for a in images)
    assert "Tops 30%" in alts and "Shoes 83%" in alts


def test_html_email_body_references_cid_images(email_html: str) -> None:
    sources = [attrs["src"] for tag, attrs in parse(email_html).tags if tag == "img"]
    assert sources == [
        "cid:coverage@shotlist.report",
        "cid:status@shotlist.report",
        "cid:progress@shotlist.report",
    ]
    assert "data:" not in email_html
    assert len(email_html.encode("utf-8")) < 100_000
    assert "attached workbook, r.xlsx" in email_html


def test_html_header_shows_period_extraction_and_warnings(html: str) -> None:
    text = " ".join(" ".join(parse(html).text).split())
    # AS_OF is a Friday: the last 7 days, not an ISO week they do not make up.
    assert "Last 7 days · Sat 15 Nov – Fri 21 Nov 2025" in text
    assert "Week 47" not in text
    zone = AS_OF.astimezone().tzname()  # the machine's zone, [report] timezone being unset
    assert f"Data extracted Fri 21 Nov 2025, 06:10 {zone}" in text
    assert f"built Fri 21 Nov 2025, 06:12 {zone}" in text
    assert "Warning: The last build had 1 failing data test(s): not_null_label." in text
    assert "all products in scope · grandshooting" in text


def test_html_warns_when_data_is_stale(config: Config) -> None:
    later = AS_OF.replace(day=23)  # 50 hours after the last sync, threshold 24 h
    with prepare_report(config, ReportScope(), as_of=later) as prepared:
        html = render_html(prepared.data, prepared.charts)
        assert prepared.data.header.stale
    assert "Data is stale: the last successful sync ended 50 hours ago (threshold 24 h)." in html


def test_text_part_and_subject(config: Config) -> None:
    with prepare_report(config, ReportScope(), as_of=AS_OF) as prepared:
        text = render_text(prepared.data, prepared.charts, attachment="r.xlsx")
        title = subject(prepared.data)
    assert "- Coverage: 50% (▲ 26.3 pts)" in text
    assert "- Tops: 30% (6 validated, 14 missing, 4 products)" in text
    assert "<script>alert('x')</script> & co" in text  # plain text is not HTML-escaped
    assert title == (
        "Weekly shotlist report, last 7 days (Sat 15 Nov – Fri 21 Nov 2025): coverage 50% "
        "(▲ 26.3 pts), 12 validated this week, 6 open alerts"
    )
