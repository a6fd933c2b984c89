"""Every figure a rendered report shows, as plain JSON values: to compare reports before/after.

`python -m tests.report.figures OUT.json` renders the report on the test catalogs (the
hand-made one of catalog.py, the hand-built account of tests/models/scenario.py) and, with
`--demo FOLDER`, on a demo folder's analytics file; it dumps every workbook cell per sheet, the
HTML's text and the plain-text email.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import re
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import openpyxl

from etl.config import Config, load_config
from etl.models import build
from etl.report import prepare_report, write_report
from etl.report.html import render_text
from etl.report.scope import resolve_scope
from tests.models import scenario
from tests.models.helpers import load_raw, make_config

from .catalog import AS_OF, build_catalog, catalog_config

# (name, profile, --where, --collection, as_of shift in days)
SCOPES: list[tuple[str, str | None, list[str], list[str], int]] = [
    ("all", None, [], [], 0),
    ("all-week-before", None, [], [], -7),
    ("zed", "zed", [], [], 0),
    ("acme-ss25", "acme-ss25", [], [], 0),
    ("brand-zed", None, ["brand=Zed"], [], 0),
    ("fw25", None, [], ["FW25"], 0),
    ("category-tops", None, ["category=Tops"], [], 0),
    ("nobody", None, ["brand=Nobody"], [], 0),
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def workbook_cells(path: Path) -> dict[str, list[list[Any]]]:
    """Sheet -> rows of cell values (trailing empty cells dropped)."""
    wb = openpyxl.load_workbook(path)
    sheets: dict[str, list[list[Any]]] = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            values = [_plain(v) for v in row]
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        sheets[ws.title] = rows
    return sheets


def html_text(text: str) -> list[str]:
    """The HTML's visible text, one entry per element (images and styles left out)."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", text, flags=re.S)
    parts = re.split(r"<[^>]+>", body)
    return [t for t in (html_lib.unescape(p).strip() for p in parts) if t]


def render_figures(
    config: Config,
    scopes: list[tuple[str, str | None, list[str], list[str], int]],
    as_of: datetime,
    out: Path,
) -> dict[str, Any]:
    """Scope name -> {xlsx: cells, html: text, text: the plain-text email}."""
    figures: dict[str, Any] = {}
    for name, profile, where, collections, shift in scopes:
        when = as_of + timedelta(days=shift)
        target = out / name
        files = write_report(
            config,
            profile,
            ["xlsx", "html"],
            target,
            where=where,
            collections=collections,
            as_of=when,
            deliverables=True,
        )
        xlsx = next(f for f in files if f.suffix == ".xlsx")
        page = next(f for f in files if f.suffix == ".html")
        scope = resolve_scope(config, profile, where, collections)
        with prepare_report(config, scope, as_of=when) as prepared:
            text = render_text(prepared.data, prepared.charts, attachment=xlsx.name)
        figures[name] = {
            "xlsx": workbook_cells(xlsx),
            "html": html_text(page.read_text(encoding="utf-8")),
            "text": text.splitlines(),
        }
    return figures


def report_on_catalog(folder: Path) -> Config:
    analytics = folder / "analytics.duckdb"
    build_catalog(analytics)
    return catalog_config(folder, analytics)


def scenario_config(folder: Path) -> Config:
    profiles = (
        '[report.profiles.zed]\nwhere = { brand = "ZED" }\n'
        '[report.profiles.acme-ss25]\nwhere = { brand = "ACME" }\ncollections = ["SS25"]\n'
    )
    config = make_config(folder, extra=profiles, guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    result = build(config, today=date(2025, 3, 3))
    assert result.ok, result.summary_lines()
    return config


def demo_scopes(analytics: Path) -> list[tuple[str, str | None, list[str], list[str], int]]:
    """Unfiltered, plus the first brand, collection and category of the demo's catalog."""
    con = duckdb.connect(str(analytics), read_only=True)
    try:
        picks = []
        for column in ("brand", "collection", "category", "source"):
            row = con.execute(
                f"select {column} from marts.shotlist_coverage where {column} is not null "
                "group by 1 order by count(*) desc, 1 limit 1"
            ).fetchone()
            if row:
                picks.append((f"{column}-{row[0]}", None, [f"{column}={row[0]}"], [], 0))
    finally:
        con.close()
    return [("all", None, [], [], 0), *picks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--demo", type=Path, help="a folder where `shotlist demo` ran")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "catalog").mkdir()
        result["catalog"] = render_figures(
            report_on_catalog(folder / "catalog"), SCOPES, AS_OF, folder / "catalog" / "out"
        )
        scenario = scenario_config(folder / "scenario")
        result["scenario"] = render_figures(
            scenario, SCOPES, datetime(2025, 3, 3, 12, 0), folder / "scenario" / "out"
        )
        if args.demo:
            demo = load_config(args.demo / "shotlist.toml")
            analytics = demo.resolve(demo.warehouse.analytics_path)
            result["demo"] = render_figures(
                demo, demo_scopes(analytics), datetime(2026, 12, 2, 12, 0), folder / "demo"
            )
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True, default=str), "utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{k} ({len(v)} scopes)" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
