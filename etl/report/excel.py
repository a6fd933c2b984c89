"""The report workbook: streamed (write-only) sheets of real Excel tables, text never a formula."""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo

from etl.report.data import Column, Kpi, ReportData, ReportQueries, Table
from etl.report.errors import ReportError
from etl.report.sheetxml import (
    RowSource,
    RowWriter,
    TextOut,
    row_sql,
    splice,
    write_built_batches,
    write_built_rows,
)
from etl.report.zipstream import TextSink

# Spreadsheet formula injection: Excel and LibreOffice evaluate text typed with these prefixes.
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "int": "#,##0",
    "float": "#,##0.00",
    "pct": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
WIDTHS = {"int": 12, "float": 12, "pct": 11, "date": 12, "datetime": 17, "bool": 8}
SAMPLE_ROWS = 200  # rows looked at to size text columns before streaming the rest
MAX_WIDTH = 60

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F4B6E")
TITLE_FONT = Font(bold=True, size=16, color="1F2933")
LABEL_FONT = Font(bold=True, color="52606D")
WARN_FONT = Font(bold=True, color="9B1C1C")
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)

RED = PatternFill("solid", fgColor="F8D7DA")
AMBER = PatternFill("solid", fgColor="FFF3CD")
GREEN = PatternFill("solid", fgColor="D4EDDA")
BLUE = PatternFill("solid", fgColor="DCEBF7")
GREY = PatternFill("solid", fgColor="E9ECEF")
# Value -> fill for the columns that carry a status.
STATUS_FILLS: dict[str, dict[str, PatternFill]] = {
    "coverage_status": {
        "complete": GREEN,
        "in_progress": AMBER,
        "not_started": RED,
        "no_guideline": GREY,
    },
    "status_group": {
        "validated": GREEN,
        "published": GREEN,
        "for_approval": AMBER,
        "in_progress": BLUE,
        "captured": GREY,
        "refused": RED,
        "reshoot": RED,
    },
    "severity": {"error": RED, "warn": AMBER, "warning": AMBER, "info": BLUE},
    "forecast_status": {
        "misses_deadline": RED,
        "no_progress": AMBER,
        "on_track": GREEN,
        "complete": GREEN,
        "no_guideline": GREY,
    },
    "age_bucket": {"over 14 days": RED, "8-14 days": AMBER},
}
# Sheet -> the mart its columns are described by (the About sheet's dictionary).
SHEET_MARTS = {
    "Pace": "collection_pace",
    "Urgency": "production_urgency",
    "Backlog": "approval_backlog",
    "Coverage": "shotlist_coverage",
    "Alerts": "report_alerts",
    "Status": "status_breakdown",
    "Deliverables": "deliverables",
}


_LITERAL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def safe_text(value: str) -> str:
    """Text in OOXML's own escaping: control characters (CR included) as `_xHHHH_`.

    XML cannot carry most control characters, and parsers turn a raw CR into LF; Excel reads
    `_x000D_` back as CR. Text that already looks like an escape is itself escaped.
    """
    value = _LITERAL_ESCAPE.sub(lambda m: "_x005F" + m.group(0), value)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


class _Writer:
    """Turns query values into write-only cells; one reusable styled cell per format."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._styled: dict[tuple[int, str], WriteOnlyCell] = {}

    def cell(self, value: Any, kind: str = "text", slot: int = 0) -> Any:
        """The value to append in column `slot` (a styled cell when it needs a format)."""
        if value is None:
            return None
        if isinstance(value, list | tuple):
            value = ", ".join("" if v is None else str(v) for v in value)
        if isinstance(value, dict):
            value = str(value)
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        fmt = FORMATS.get(kind)
        if fmt is None:
            if isinstance(value, datetime):
                fmt = FORMATS["datetime"]
            elif isinstance(value, date):
                fmt = FORMATS["date"]
            else:
                return value
        # One styled cell per column, reused row after row: a write-only sheet serialises
        # a row before the next is built, and allocating a cell per value doubles the time.
        cell = self._styled.get((slot, fmt))
        if cell is None:
            cell = self._styled[(slot, fmt)] = WriteOnlyCell(self.ws)
            cell.number_format = fmt
        cell.value = value
        return cell

    def text(self, value: str) -> Any:
        stored, risky = stored_text(value)
        if not risky:
            return stored
        cell = WriteOnlyCell(self.ws, value=stored)
        cell.data_type = "s"  # a leading `=` would otherwise be stored as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell

    def styled(self, value: Any, font: Font | None = None, fmt: str | None = None) -> Any:
        """A one-off cell with its own font or number format (titles, labels, KPIs)."""
        cell = self.text(value) if isinstance(value, str) else value
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(self.ws, value=cell)
        if font is not None:
            cell.font = font
        if fmt is not None:
            cell.number_format = fmt
        return cell

    def style_ids(self) -> dict[str, int]:
        """Cell style ids of the number formats, registered in the workbook's stylesheet."""
        ids = {}
        for kind, fmt in FORMATS.items():
            cell = WriteOnlyCell(self.ws)
            cell.number_format = fmt
            ids[kind] = cell.style_id
        return ids

    def quote_style_id(self) -> int:
        cell = WriteOnlyCell(self.ws)
        cell.quotePrefix = True
        return int(cell.style_id)

    def header(self, names: Sequence[str]) -> list[Any]:
        cells = []
        for name in names:
            cell = WriteOnlyCell(self.ws, value=safe_text(name))
            cell.data_type = "s"
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
        return cells


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = safe_text(name) or "column"
        count = seen.get(base.lower(), 0)
        seen[base.lower()] = count + 1
        out.append(base if count == 0 else f"{base}_{count + 1}")
    return out


def _width(column: Column, header: str, sample: Sequence[tuple[Any, ...]], index: int) -> float:
    if column.kind in WIDTHS:
        return max(WIDTHS[column.kind], len(header) + 3)
    longest = max((len(str(row[index])) for row in sample if row[index] is not None), default=0)
    return min(max(longest, len(header)) + 3, MAX_WIDTH)


def _add_table(
    ws: WriteOnlyWorksheet, name: str, first_row: int, headers: Sequence[str], nrows: int
) -> None:
    # A table needs at least one data row; an empty one keeps the header and filter usable.
    last_row = first_row + max(nrows, 1)
    ref = f"A{first_row}:{get_column_letter(len(headers))}{last_row}"
    table = ExcelTable(displayName=name, ref=ref)
    table.tableStyleInfo = TABLE_STYLE
    # Write-only sheets cannot read the header cells back: name the columns here.
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
    table.autoFilter = AutoFilter(ref=ref)
    with warnings.catch_warnings():
        # openpyxl warns on every write-only table, even when its columns are named as here.
        warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
        ws.add_table(table)


def _status_rules(ws: WriteOnlyWorksheet, columns: Sequence[Column], first: int, last: int) -> None:
    """Coverage bands on `*_pct` columns, colours on status columns."""
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cells = f"{letter}{first}:{letter}{max(last, first)}"
        if column.kind == "pct" and column.name.startswith("coverage"):
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="greaterThanOrEqual", formula=["1"], fill=GREEN)
            )
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="between", formula=["0.5", "0.99999"], fill=AMBER)
            )
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="lessThan", formula=["0.5"], fill=RED)
            )
        fills = STATUS_FILLS.get(column.name)
        if fills:
            for value, fill in fills.items():
                ws.conditional_formatting.add(
                    cells, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill)
                )


class SheetRows:
    """The rows of one data sheet, streamed from DuckDB when the workbook file is written.

    `sql` is the query streamed: `row_sql`'s, whose rows are XML made by DuckDB, or the
    sheet's own when `writer` (Python) writes them. None: a sheet without columns, no rows.
    """

    def __init__(
        self,
        title: str,
        queries: ReportQueries,
        sql: str | None,
        count: int,
        writer: RowWriter | None = None,
        on_done: Callable[[str, int], None] | None = None,
    ) -> None:
        self.title = title
        self.queries = queries
        self.sql = sql
        self.count = count
        self.writer = writer
        self.on_done = on_done

    def write(self, out: TextOut) -> int:
        """Write the `<row>` elements; returns how many (the count the table was sized by)."""
        if self.sql is None:
            return 0
        if self.writer is not None:
            written = self.writer.write(self.queries.stream(self.sql)[1], out)
        elif isinstance(out, TextSink):
            written = write_built_batches(self.queries.batches(self.sql), out)
        else:
            written = write_built_rows(self.queries.stream(self.sql)[1], out)
        if written == 0:
            out.write('<row r="2"></row>')  # a table needs a data row, even an empty one
        if written != self.count:
            # The data is one published file opened read-only: this would be a bug.
            raise ReportError(
                f"sheet {self.title}: {written} rows streamed, {self.count} counted before"
            )
        if self.on_done is not None:
            self.on_done(self.title, written)
        return written


def add_data_sheet(
    wb: Workbook,
    title: str,
    queries: ReportQueries,
    sql: str,
    *,
    table_name: str,
) -> tuple[list[Column], SheetRows]:
    """A sheet holding one Excel table of the rows of `sql`; returns its columns and rows.

    openpyxl writes the header, table, widths and formats, sized by the rows counted first;
    the rows themselves stream into the saved file (see `sheetxml.splice`). DuckDB builds
    the rows' XML when it can type every column (`row_sql`); Python writes the others.
    """
    ws = wb.create_sheet(title)
    writer = _Writer(ws)
    sample = queries.table(f"select * from ({sql}) limit {SAMPLE_ROWS}")
    columns = sample.columns
    headers = _unique(c.label for c in columns)
    for index, (column, header) in enumerate(zip(columns, headers, strict=True)):
        ws.column_dimensions[get_column_letter(index + 1)].width = _width(
            column, header, sample.rows, index
        )
    ws.freeze_panes = "A2"
    ws.append(writer.header(headers))
    if not columns:
        return columns, SheetRows(title, queries, None, 0)
    count = queries.count(sql)
    styles, quote = writer.style_ids(), writer.quote_style_id()
    built = row_sql(
        sql, [(c.name, c.duck_type, c.kind) for c in columns], styles, quote, INJECTION_PREFIXES
    )
    if built is not None:
        rows = SheetRows(title, queries, built, count)
    else:
        row_writer = RowWriter([c.kind for c in columns], styles, quote, stored_text)
        rows = SheetRows(title, queries, sql, count, row_writer)
    _add_table(ws, table_name, 1, headers, count)
    _status_rules(ws, columns, 2, count + 1)
    return columns, rows


def write_data_sheet(
    wb: Workbook,
    title: str,
    queries: ReportQueries,
    sql: str,
    *,
    table_name: str,
    fragment: Path,
) -> tuple[list[Column], int]:
    """`add_data_sheet`, with the rows written now into the file `fragment` (for `splice`)."""
    columns, rows = add_data_sheet(wb, title, queries, sql, table_name=table_name)
    with fragment.open("w", encoding="utf-8", newline="") as out:
        written = rows.write(out)
    return columns, written


def stored_text(value: str) -> tuple[str, bool]:
    """The text as stored, and whether a spreadsheet would have read it as a formula."""
    risky = value.startswith(INJECTION_PREFIXES)
    if value.isprintable() and "_x" not in value:
        return value, risky  # nothing to escape: the common case, kept cheap
    return safe_text(value), risky


def _table_block(
    ws: WriteOnlyWorksheet,
    writer: _Writer,
    table: Table,
    *,
    name: str,
    start_row: int,
    labels: bool = True,
) -> int:
    """Append a small table at `start_row`; returns the next free row (after one blank)."""
    if not table.columns:
        return start_row
    headers = _unique(c.label if labels else c.name for c in table.columns)
    ws.append(writer.header(headers))
    for row in table.rows:
        ws.append(
            [
                writer.cell(v, c.kind, i)
                for i, (v, c) in enumerate(zip(row, table.columns, strict=True))
            ]
        )
    if not table.rows:
        ws.append([])
    _add_table(ws, name, start_row, headers, len(table.rows))
    _status_rules(ws, table.columns, start_row + 1, start_row + max(len(table.rows), 1))
    ws.append([])
    return start_row + max(len(table.rows), 1) + 2


def _kpi_row(writer: _Writer, kpi: Kpi) -> list[Any]:
    fmt = FORMATS["pct"] if kpi.kind == "pct" else FORMATS["int"]
    change_fmt = "+0.0%;-0.0%;0.0%" if kpi.kind == "pct" else "+#,##0;-#,##0;0"
    return [
        writer.text(kpi.label),
        writer.styled(kpi.value, fmt=fmt) if kpi.value is not None else "n/a",
        # No snapshot a week old (or one taken before the history recorded this figure).
        writer.styled(kpi.change, fmt=change_fmt)
        if kpi.change is not None
        else writer.text("no comparison yet"),
        writer.text(kpi.note) if kpi.note else None,
    ]


def _info_rows(data: ReportData, filters: str) -> list[tuple[str, Any]]:
    h = data.header
    return [
        ("Scope", filters),
        ("Sources", ", ".join(h.sources) or "none"),
        ("Period", h.period.label()),
        ("Generated", h.generated_at.replace(tzinfo=None)),
        ("Time zone", h.timezone),
        # Excel has no zoned times: wall times in the report's zone, named on the row above.
        ("Last successful sync", _wall(h.last_sync_at) or "never"),
        ("Last build", _wall(h.last_build_at) or "never"),
    ]


def _wall(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value is not None else None


def _sheet_head(
    wb: Workbook, name: str, title: str, widths: Sequence[float], data: ReportData
) -> tuple[WriteOnlyWorksheet, _Writer, int]:
    """A sheet opened by its title and the report's scope, period and run times.

    Returns the sheet, its writer and the row the next line goes to.
    """
    ws = wb.create_sheet(name)
    writer = _Writer(ws)
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.append([writer.styled(title, font=TITLE_FONT)])
    row = 2
    for label, value in _info_rows(data, data.header.scope_label):
        fmt = FORMATS["datetime"] if isinstance(value, datetime) else None
        ws.append([writer.styled(label, font=LABEL_FONT), writer.styled(value, fmt=fmt)])
        row += 1
    return ws, writer, row


def write_summary(wb: Workbook, data: ReportData) -> None:
    widths = (30, 16, 14, 14, 14, 14, 12, 12, 12)
    ws, writer, row = _sheet_head(wb, "Summary", data.header.title, widths, data)
    for warning in data.header.warnings:
        ws.append([writer.styled("Warning", font=WARN_FONT), writer.styled(warning, WARN_FONT)])
        row += 1
    ws.append([])
    row += 1
    kpis = Table(
        [
            Column("metric", "Metric", "text"),
            Column("value", "Value", "text"),
            Column("change", "Change vs last week", "text"),
            Column("note", "Note", "text"),
        ],
        [],
    )
    headers = [c.label for c in kpis.columns]
    ws.append(writer.header(headers))
    for kpi in data.kpis:
        ws.append(_kpi_row(writer, kpi))
    _add_table(ws, "KPIs", row, headers, len(data.kpis))
    ws.append([])
    row += len(data.kpis) + 2
    row = _table_block(ws, writer, data.by_category, name="CoverageByCategory", start_row=row)
    row = _table_block(ws, writer, data.by_brand, name="CoverageByBrand", start_row=row)
    _table_block(ws, writer, data.backlog_age, name="BacklogByAge", start_row=row)


def write_about(wb: Workbook, data: ReportData, sheet_columns: dict[str, Sequence[Column]]) -> None:
    widths = (22, 26, 26, 80, 12, 17, 17, 12)
    ws, writer, row = _sheet_head(wb, "About", "About this report", widths, data)
    for test in data.header.failing_tests:
        text = f"{test.name} ({test.severity}, {test.failures} failing rows)"
        ws.append([writer.styled("Failing data test", font=WARN_FONT), writer.text(text)])
        row += 1
    ws.append([])
    row += 1
    dictionary = Table(
        [
            Column("sheet", "Sheet", "text"),
            Column("header", "Header", "text"),
            Column("column", "Column", "text"),
            Column("description", "Description", "text"),
        ],
        [
            (sheet, column.label, column.name, _describe_column(data, sheet, column.name))
            for sheet, columns in sheet_columns.items()
            for column in columns
        ],
    )
    row = _table_block(ws, writer, dictionary, name="ColumnDictionary", start_row=row)
    if data.sync_runs.columns:
        _table_block(ws, writer, data.sync_runs, name="Extractions", start_row=row, labels=False)


def _describe_column(data: ReportData, sheet: str, column: str) -> str:
    mart = SHEET_MARTS.get(sheet)
    text = data.descriptions.get((mart, column)) if mart else None
    if text:
        return text
    # Columns joined in from the coverage mart (label, brand, collection on Alerts).
    return data.descriptions.get(("shotlist_coverage", column), "")


def write_workbook(
    path: Path,
    data: ReportData,
    queries: ReportQueries,
    *,
    deliverables: bool,
    on_progress: Callable[[str, int], None] | None = None,
) -> Path:
    """Write the whole workbook; big sheets stream from DuckDB so memory stays flat."""
    wb = Workbook(write_only=True)
    write_summary(wb, data)
    sheets = [
        ("Pace", queries.pace_sql()),
        ("Urgency", queries.urgency_sql()),
        ("Backlog", queries.backlog_sql()),
        ("Coverage", queries.coverage_sql()),
        ("Alerts", queries.alerts_sql()),
        ("Status", queries.status_sql()),
    ]
    if deliverables:
        sheets.append(("Deliverables", queries.deliverables_sql()))
    sheet_columns: dict[str, Sequence[Column]] = {}
    fragments: dict[int, tuple[Path | RowSource, str]] = {}
    for title, sql in sheets:
        columns, rows = add_data_sheet(wb, title, queries, sql, table_name=re.sub(r"\W", "", title))
        rows.on_done = on_progress
        sheet_columns[title] = columns
        last = get_column_letter(max(len(columns), 1))
        fragments[len(wb.worksheets)] = (rows, f"A1:{last}{max(rows.count, 1) + 1}")
    write_about(wb, data, sheet_columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix=".shotlist-xlsx-", dir=path.parent) as tmp:
        skeleton = Path(tmp) / "skeleton.xlsx"
        wb.save(skeleton)
        try:
            splice(skeleton, fragments, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(path)  # readers never see a half-written workbook
    return path
