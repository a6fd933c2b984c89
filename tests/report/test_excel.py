"""The workbook: sheets, values, number formats, tables, frozen panes, colours, injection safety."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from etl.config import Config
from etl.report import write_report

from .catalog import AS_OF, EVIL_LABELS, build_catalog, catalog_config


@pytest.fixture
def workbook(config: Config, tmp_path: Path) -> openpyxl.Workbook:
    [path] = write_report(config, formats=["xlsx"], out_dir=tmp_path / "out", as_of=AS_OF)
    assert path.name == "shotlist-all-2025-11-21.xlsx"
    return openpyxl.load_workbook(path)


def column_names(wb: openpyxl.Workbook, sheet: str) -> dict[str, str]:
    """Header in words -> column name, from the About sheet's dictionary."""
    ws = wb["About"]
    first, last = ws.tables["ColumnDictionary"].ref.split(":")
    return {r[1].value: r[2].value for r in ws[first:last][1:] if r[0].value == sheet}


def _records(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict]:
    """Every row, its cells keyed by column name."""
    names = column_names(ws.parent, ws.title)
    header = [names[c.value] for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def rows_by_key(ws: openpyxl.worksheet.worksheet.Worksheet, key: str) -> dict[str, dict]:
    """Rows keyed by the `key` column; each row's cells keyed by column name."""
    names = column_names(ws.parent, ws.title)
    header = [names[c.value] for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2):
        record = dict(zip(header, row, strict=True))
        out[record[key].value] = record
    return out


def test_workbook_has_the_sheets_in_order(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == [
        "Summary",
        "Pace",
        "Urgency",
        "Backlog",
        "Coverage",
        "Alerts",
        "Status",
        "Deliverables",
        "About",
    ]


def test_workbook_data_sheets_are_tables_with_frozen_header(
    workbook: openpyxl.Workbook,
) -> None:
    # Deliverables: the catalog's pictures have no file name, so that column is left out.
    expected = {"Coverage": "A1:P11", "Alerts": "A1:O7", "Status": "A1:K7", "Deliverables": "A1:R4"}
    for sheet, ref in expected.items():
        ws = workbook[sheet]
        assert ws.freeze_panes == "A2", sheet
        [table] = ws.tables.values()
        assert table.name == sheet
        assert table.ref == ref
        assert table.autoFilter is not None and table.autoFilter.ref == ref
        assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
        assert ws.column_dimensions["A"].width >= 9


def test_workbook_coverage_values_and_formats(workbook: openpyxl.Workbook) -> None:
    rows = rows_by_key(workbook["Coverage"], "product_key")
    assert set(rows) == {f"R{i}" for i in range(1, 11)}
    r2 = rows["R2"]
    assert r2["label"].value == "City shoe"
    assert r2["expected_images"].value == 4
    assert r2["validated_images"].value == 2
    assert r2["missing_images"].value == 2
    assert r2["coverage_pct"].value == pytest.approx(0.5)
    assert r2["coverage_pct"].number_format == "0.0%"
    assert r2["missing_images"].number_format == "#,##0"
    assert r2["missing_views"].value == "BACK"
    assert r2["coverage_status"].value == "in_progress"
    assert rows["R10"]["coverage_pct"].value is None  # nothing expected: no percentage


def test_workbook_dates_are_dates(workbook: openpyxl.Workbook) -> None:
    rows = rows_by_key(workbook["Deliverables"], "deliverable_key")
    validated = rows["P11"]["validated_at"]
    assert validated.value.isoformat() == "2025-11-19T10:00:00"
    assert validated.number_format == "yyyy-mm-dd hh:mm"
    assert rows["P21"]["validated_at"].value is None


def test_workbook_injection_strings_are_text(workbook: openpyxl.Workbook) -> None:
    rows = rows_by_key(workbook["Coverage"], "product_key")
    for key, label in EVIL_LABELS.items():
        cell = rows[key]["label"]
        assert cell.data_type == "s", key
        # Stored in OOXML escaping (a raw CR would come back as LF): Excel reads it back as is.
        assert unescape(cell.value) == label, key
        if label[0] in "=+-@\t\r":
            assert cell.quotePrefix, key
    alerts = workbook["Alerts"]
    messages = [c for row in alerts.iter_rows() for c in row if c.value == "=1+1"]
    assert len(messages) == 1 and messages[0].data_type == "s"
    view = rows_by_key(workbook["Deliverables"], "deliverable_key")["P41"]["view_type"]
    assert view.value == "=cmd|calc" and view.data_type == "s"
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), ws.title


def test_workbook_conditional_formats(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Coverage"]
    rules = {
        (str(rng.sqref), r.operator, tuple(r.formula))
        for rng in ws.conditional_formatting
        for r in rng.rules
    }
    assert ("M2:M11", "lessThan", ("0.5",)) in rules
    assert ("M2:M11", "greaterThanOrEqual", ("1",)) in rules
    assert ("O2:O11", "equal", ('"complete"',)) in rules
    assert ("O2:O11", "equal", ('"not_started"',)) in rules
    status = {
        (str(rng.sqref), tuple(r.formula))
        for rng in workbook["Status"].conditional_formatting
        for r in rng.rules
    }
    assert ("I2:I7", ('"refused"',)) in status


def test_workbook_summary_kpis_and_breakdowns(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Summary"]
    assert ws["A1"].value == "Weekly shotlist report"
    assert set(ws.tables) == {"KPIs", "CoverageByCategory", "CoverageByBrand", "BacklogByAge"}
    kpi_ref = ws.tables["KPIs"].ref
    first, last = kpi_ref.split(":")
    cells = ws[first:last]
    kpis = {row[0].value: row for row in cells[1:]}
    assert kpis["Products in scope"][1].value == 10
    assert kpis["Coverage"][1].value == pytest.approx(0.5)
    assert kpis["Coverage"][1].number_format == "0.0%"
    # 19 of 38 expected images covered now, 9 of 38 a week ago: +26.3 points.
    assert kpis["Coverage"][2].value == pytest.approx(0.5 - 9 / 38)
    assert kpis["Validated this week"][1].value == 12
    assert kpis["Validated this week"][2].value == 3
    assert kpis["Missing images"][1].value == 19
    assert kpis["Open alerts"][1].value == 6
    assert kpis["For approval"][1].value == 2
    cat_first, cat_last = ws.tables["CoverageByCategory"].ref.split(":")
    by_category = {row[0].value: row for row in ws[cat_first:cat_last][1:]}
    assert by_category["Tops"][1].value == 4  # products
    assert by_category["Tops"][5].value == pytest.approx(6 / 20)
    warnings = [r[1].value for r in ws.iter_rows(max_col=2) if r[0].value == "Warning"]
    assert warnings == ["The last build had 1 failing data test(s): not_null_label."]


def test_workbook_about_sheet_describes_columns_and_extraction(
    workbook: openpyxl.Workbook,
) -> None:
    ws = workbook["About"]
    info = {r[0].value: r[1].value for r in ws.iter_rows(max_col=2, max_row=10)}
    assert info["Scope"] == "all products in scope"
    assert info["Last successful sync"].isoformat() == "2025-11-21T06:10:00"
    first, last = ws.tables["ColumnDictionary"].ref.split(":")
    dictionary = {(r[0].value, r[2].value): (r[1].value, r[3].value) for r in ws[first:last][1:]}
    header, description = dictionary[("Coverage", "coverage_pct")]
    assert header == "Coverage"
    assert description.startswith("min(validated, expected)")
    assert dictionary[("Deliverables", "validated_at")][0] == "Validated"
    assert ("Deliverables", "file_name") not in dictionary  # empty for every picture
    assert "Extractions" in ws.tables


def test_workbook_scoped_by_profile_without_deliverables(config: Config, tmp_path: Path) -> None:
    [path] = write_report(
        config, "zed", formats=["xlsx"], out_dir=tmp_path, as_of=AS_OF, deliverables=False
    )
    wb = openpyxl.load_workbook(path)
    assert "Deliverables" not in wb.sheetnames
    assert set(rows_by_key(wb["Coverage"], "product_key")) == {"R4", "R5", "R6", "R7", "R9"}
    alerts = wb["Alerts"]
    products = {r["product_key"].value for r in _records(alerts)}
    assert products == {"R4", "R7"}  # the unlinked picture's alert is not Zed's
    status_brands = {c.value for c in wb["Status"]["D"][1:]}
    assert status_brands == {"Zed"}


def test_workbook_empty_scope_still_has_valid_tables(config: Config, tmp_path: Path) -> None:
    [path] = write_report(
        config, formats=["xlsx"], out_dir=tmp_path, as_of=AS_OF, where=["brand=Nobody"]
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Coverage"]
    assert ws.tables["Coverage"].ref == "A1:P2"  # header plus one empty row
    assert all(c.value is None for c in ws[2])


def test_workbook_headers_are_words_on_every_sheet(workbook: openpyxl.Workbook) -> None:
    coverage = [c.value for c in workbook["Coverage"][1]]
    assert coverage[:4] == ["Source", "Product id", "Product name", "Brand"]
    assert "Coverage" in coverage and "Images missing" in coverage
    deliverables = [c.value for c in workbook["Deliverables"][1]]
    assert deliverables[:3] == ["Source", "Picture id", "Product id"]
    for sheet in ("Pace", "Urgency", "Backlog", "Coverage", "Alerts", "Status", "Deliverables"):
        headers = [c.value for c in workbook[sheet][1]]
        assert all("_" not in h and h[0].isupper() for h in headers), (sheet, headers)
        # The About sheet names the column behind each header.
        names = column_names(workbook, sheet)
        assert sorted(names) == sorted(headers), sheet
    assert column_names(workbook, "Coverage")["Product id"] == "product_key"


def test_workbook_deliverables_drop_columns_empty_in_the_scope(tmp_path: Path) -> None:
    analytics = tmp_path / "analytics.duckdb"
    # Zed's only picture (P41) has no colour profile; Acme's have one.
    build_catalog(
        analytics,
        statements=["update marts.deliverables set icc_profile = null where product_key = 'R4'"],
    )
    config = catalog_config(tmp_path, analytics)
    [zed] = write_report(config, "zed", formats=["xlsx"], out_dir=tmp_path / "zed", as_of=AS_OF)
    [everyone] = write_report(config, formats=["xlsx"], out_dir=tmp_path / "all", as_of=AS_OF)
    zed_headers = [c.value for c in openpyxl.load_workbook(zed)["Deliverables"][1]]
    all_headers = [c.value for c in openpyxl.load_workbook(everyone)["Deliverables"][1]]
    # P41 is not validated either: no validation date in Zed's scope.
    assert set(all_headers) - set(zed_headers) == {"Colour profile", "Validated"}
    assert "File name" not in all_headers  # empty for every picture of the catalog
    rows = rows_by_key(openpyxl.load_workbook(zed)["Deliverables"], "deliverable_key")
    assert set(rows) == {"P41"} and rows["P41"]["view_type"].value == "=cmd|calc"
