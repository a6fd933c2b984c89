"""Rows built by DuckDB (`row_sql`) are byte for byte the rows `RowWriter` writes in Python."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl import Workbook

from etl.config import Config
from etl.report.data import ReportQueries, _describe
from etl.report.excel import INJECTION_PREFIXES, stored_text, write_data_sheet
from etl.report.scope import resolve_scope
from etl.report.sheetxml import (
    RowWriter,
    row_sql,
    splice,
    write_built_batches,
    write_built_rows,
)
from etl.report.source import open_report_source
from etl.report.zipstream import BackgroundWriter, TextSink

STYLES = {"int": 3, "float": 4, "pct": 5, "date": 6, "datetime": 7}
QUOTE = 9

# Text that needs each rule: OOXML escapes, literal escapes, XML escapes, formula-like starts,
# leading and trailing whitespace (ASCII and Unicode), U+FFFE, and plain text.
TEXTS = [
    "plain",
    "",
    " lead",
    "trail ",
    "\ttab",
    "line\nbreak",
    "cr\rlf",
    "\rstart",
    "bell\x07",
    "\x0bvertical",
    "nul\x00byte",
    "_x000D_ literal",
    "_x12g4_ not an escape",
    "=1+1",
    "+33 6",
    "-minus",
    "@sum",
    "a & b < c > d",
    "\u00a0nbsp",
    "ideo\u3000",
    "\ufffe hidden",
    "x\uffff",
    "caf\u00e9 \u65e5\u672c \U0001f4f7",
    "\u2028sep",
    "\x85next",
]


def python_rows(con: duckdb.DuckDBPyConnection, query: str) -> str:
    cursor = con.execute(query)
    columns = _describe(cursor.description)
    out = io.StringIO()
    writer = RowWriter([c.kind for c in columns], STYLES, QUOTE, stored_text)
    writer.write(cursor.fetchall(), out)
    return out.getvalue()


def sql_rows(con: duckdb.DuckDBPyConnection, query: str) -> str:
    cursor = con.execute(f"select * from ({query}) limit 0")
    columns = _describe(cursor.description)
    built = row_sql(
        query,
        [(c.name, str(d[1]), c.kind) for c, d in zip(columns, cursor.description, strict=True)],
        STYLES,
        QUOTE,
        INJECTION_PREFIXES,
    )
    assert built is not None
    out = io.StringIO()
    write_built_rows(con.execute(built).fetchall(), out)
    return out.getvalue()


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    yield con
    con.close()


def test_text_cells_match_python(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table t (i integer, s varchar, l varchar[])")
    for i, text in enumerate(TEXTS):
        con.execute("insert into t values (?, ?, ?)", [i, text, [text, None, "b"]])
    con.execute("insert into t values (99, null, null), (100, 'x', []), (101, '=y', ['=z'])")
    query = "select * from t order by i"
    expected = python_rows(con, query)
    assert 's="9"' in expected and "_x000D_" in expected and "xml:space" in expected
    assert sql_rows(con, query) == expected


def test_number_date_and_bool_cells_match_python(con: duckdb.DuckDBPyConnection) -> None:
    query = """select * from (values
        (1, -5::bigint, 18446744073709551615::ubigint, 0.1::double, 1 / 3, 2.5::float,
         'nan'::double, true, date '2025-11-21', timestamp '2025-11-21 13:45:07.123456',
         0.25::double),
        (2, 0, 0, 1e16::double, -1e-7::double, null, 'inf'::double, false, date '1899-12-29',
         timestamp '1899-12-29 06:00:00.000001', null),
        (3, null, null, null, 12345678.9, -0.0::float, '-inf'::double, null, null,
         timestamp '1970-01-01', 1.0))
        t(n, small, huge, x, third, f, bad, flag, day, moment, coverage_pct)
        order by n"""
    expected = python_rows(con, query)
    assert 's="5"' in expected and 's="7"' in expected and 't="b"' in expected
    assert sql_rows(con, query) == expected


def test_unsupported_types_are_left_to_python(con: duckdb.DuckDBPyConnection) -> None:
    for duck_type in ("UUID", "TIMESTAMP WITH TIME ZONE", "DECIMAL(18,3)", "INTEGER[]"):
        assert row_sql("select 1", [("u", duck_type, "text")], STYLES, QUOTE, ()) is None
    assert row_sql("select 1", [("a", "INTEGER", "int")] * 2, STYLES, QUOTE, ()) is None


def test_a_sheet_with_a_type_only_python_writes(config: Config, tmp_path: Path) -> None:
    """A column DuckDB does not type (UUID here) sends the sheet through RowWriter, same cells."""
    sql = (
        "select * from (values ('00000000-0000-0000-0000-00000000000a'::uuid, '=1+1', 3), "
        "(null, 'plain', null)) t(id, note, n)"
    )
    source = open_report_source(config)
    try:
        queries = ReportQueries(source.con, resolve_scope(config, None, (), ()))
        wb = Workbook(write_only=True)
        fragment = tmp_path / "rows.xml"
        columns, count = write_data_sheet(
            wb, "Odd", queries, sql, table_name="Odd", fragment=fragment
        )
    finally:
        source.close()
    assert [c.duck_type for c in columns] == ["UUID", "VARCHAR", "INTEGER"] and count == 2
    wb.save(tmp_path / "skeleton.xlsx")
    splice(tmp_path / "skeleton.xlsx", {1: (fragment, "A1:C3")}, tmp_path / "odd.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "odd.xlsx")["Odd"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values == [
        ["Id", "Note", "N"],
        ["00000000-0000-0000-0000-00000000000a", "=1+1", 3],
        [None, "plain", None],
    ]
    assert ws["B2"].data_type == "s" and ws["B2"].quotePrefix


def test_rows_of_several_text_cells_match_python(con: duckdb.DuckDBPyConnection) -> None:
    """Each special text in every position of a row of clean texts, next to a list."""
    con.execute("create table t (i integer, a varchar, b varchar, c varchar, l varchar[])")
    row = 0
    for text in TEXTS:
        for position in range(3):
            values = ["x", "plain text", "y"]
            values[position] = text
            con.execute("insert into t values (?, ?, ?, ?, ?)", [row, *values, ["p", "q"]])
            row += 1
    con.execute("insert into t values (?, 'clean', null, 'ok', ?)", [row, ["a", " b", "=c"]])
    con.execute("insert into t values (?, null, null, null, null)", [row + 1])
    query = "select * from t order by i"
    assert sql_rows(con, query) == python_rows(con, query)


def test_batches_numbered_by_the_writer_thread_are_the_same_rows() -> None:
    """The zip path (batches numbered on the deflate thread) writes what write_built_rows does."""
    rows = [(f'<c r="A\x01"><v>{i}</v></c><c r="B\x01" t="b"><v>1</v></c>',) for i in range(2345)]
    expected = io.StringIO()
    assert write_built_rows(rows, expected) == 2345
    target = io.BytesIO()
    with BackgroundWriter(target) as writer:
        batches = [rows[i : i + 1000] for i in range(0, len(rows), 1000)]
        assert write_built_batches(batches, TextSink(writer)) == 2345
    assert target.getvalue().decode("utf-8") == expected.getvalue()
    assert '<row r="2346"><c r="A2346"><v>2344</v>' in expected.getvalue()
