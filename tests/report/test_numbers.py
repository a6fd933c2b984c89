"""`[report] locale`: one way of writing numbers in the HTML, the text part and the subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import parse_config
from etl.report import prepare_report
from etl.report.errors import ReportError
from etl.report.html import render_html, render_text, subject
from etl.report.numbers import numbers_for
from etl.report.scope import ReportScope

from .catalog import AS_OF, catalog_config
from .test_period import page_text


@pytest.mark.parametrize(
    ("locale", "count", "ratio", "decimal"),
    [
        ("en", "1,234,567", "52.3%", "1,234.50"),
        ("en_GB", "1,234,567", "52.3%", "1,234.50"),
        ("fr_FR", "1\u202f234\u202f567", "52,3%", "1\u202f234,50"),
        ("de", "1.234.567", "52,3%", "1.234,50"),
        ("de-CH", "1’234’567", "52.3%", "1’234.50"),
    ],
)
def test_numbers_per_locale(locale: str, count: str, ratio: str, decimal: str) -> None:
    numbers = numbers_for(locale)
    assert numbers.integer(1_234_567) == count
    assert numbers.pct(0.5234, 1) == ratio
    assert numbers.number(1234.5) == decimal
    assert numbers.integer(None) == "–"


def test_unknown_locale_is_one_line() -> None:
    with pytest.raises(ReportError) as excinfo:
        numbers_for("xx_YY")
    assert str(excinfo.value).startswith("[report] locale 'xx_YY': unknown (known languages: ")


def test_report_writes_numbers_in_the_configured_locale(tmp_path: Path, analytics: Path) -> None:
    data = catalog_config(tmp_path, analytics).model_dump(mode="json", exclude={"path"})
    data["report"]["locale"] = "de"
    config = parse_config(data, tmp_path / "shotlist.toml")
    with prepare_report(config, ReportScope(), as_of=AS_OF) as prepared:
        html = page_text(render_html(prepared.data, prepared.charts, numbers=prepared.numbers))
        text = render_text(prepared.data, prepared.charts, numbers=prepared.numbers)
        title = subject(prepared.data, prepared.numbers)
    # 19 of 38 images covered now, 9 of 38 a week ago: +26.3 points, written 26,3 in German.
    assert "Coverage 50% ▲ 26,3 pts vs last week" in html
    assert "- Coverage: 50% (▲ 26,3 pts)" in text
    assert "coverage 50% (▲ 26,3 pts)" in title
    # SS25 goes at 6 images a week (see test_actions): one decimal, with a comma.
    assert "SS25 collection 52% 11 6,0 1,8" in html
