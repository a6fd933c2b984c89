"""Fast rows for big sheets: SpreadsheetML `<row>` elements streamed into the saved workbook.

openpyxl builds an object per cell and serialises it through a generic XML writer (about 50,000
cells a second here); a sheet of 400,000 pictures has millions of cells. The workbook around
the rows (styles, tables, conditional formats, widths, frozen panes) is still openpyxl's: it
writes each big sheet with its header row only, and `splice` streams the rows into a copy of
the saved file, deflated by a second thread while the next rows are made. Values are typed
exactly as openpyxl would (numbers, dates with a number format, inline strings), so text is
never a formula.

For the usual column types the `<c>` elements are built by DuckDB itself (`row_sql`): the same
bytes as `RowWriter`, made in vectorised C++ on every core instead of a Python call per cell,
which is most of the report's time at 100,000 products. Python then only numbers the rows.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from openpyxl.utils import get_column_letter

from etl.report.zipstream import BackgroundWriter, TextSink

EPOCH = datetime(1899, 12, 30)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters XML 1.0 cannot carry at all (after control characters were escaped as _xHHHH_).
_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")


# Stands for the row number in the rows DuckDB builds; stored text never carries it raw (every
# control character is escaped as _xHHHH_), so replacing it cannot touch a value.
ROW_MARK = "\x01"
# Rows joined into one write: large enough that writes and encodes are few, small enough that
# the chunks in flight (see zipstream) stay a few MB.
CHUNK_ROWS = 500
# DuckDB type names written as whole numbers / as floats (data.py picks cell formats by them).
INTEGER_TYPES = (
    "BIGINT",
    "INTEGER",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
)
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
_DAY_US = 86_400_000_000
_EPOCH_US = (EPOCH - datetime(1970, 1, 1)) // timedelta(microseconds=1)
# Characters Python's str.isspace() accepts that survive the escaping (the other controls are
# escaped): a text starting or ending with one needs xml:space="preserve".
_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and not "\x0b" <= c <= "\x1f")
# Control characters the OOXML escaping turns into _xHHHH_ (see excel.safe_text).
_CONTROLS = (*range(0x00, 0x09), *range(0x0B, 0x20))


class TextOut(Protocol):
    """Where rows are written: a text file, a StringIO, a zip entry's TextSink."""

    def write(self, text: str, /) -> object: ...


class RowSource(Protocol):
    """Rows of one sheet, made when the workbook is written (see `splice`)."""

    def write(self, out: TextOut) -> int: ...


def excel_serial(value: datetime | date) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        delta = value - EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return float((value - EPOCH.date()).days)


class RowWriter:
    """Serialises rows of one sheet; `styles[kind]` is the cell style id of a column kind.

    `text` turns a Python string into the stored text (OOXML escaping of control characters)
    and says whether it needs the quote-prefix style (text a spreadsheet would read as a formula).
    """

    def __init__(
        self,
        kinds: Sequence[str],
        styles: Mapping[str, int],
        quote_style: int,
        text: Any,
    ) -> None:
        self.kinds = list(kinds)
        self.letters = [get_column_letter(i + 1) for i in range(len(kinds))]
        self.styles = styles
        self.quote_style = quote_style
        self.text = text

    def _cell(self, ref: str, kind: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float | Decimal):
            number = float(value) if not isinstance(value, int) else value
            if isinstance(number, float) and not math.isfinite(number):
                return ""
            style = self.styles.get(kind)
            attr = f' s="{style}"' if style else ""
            return f'<c r="{ref}"{attr}><v>{number!r}</v></c>'
        if isinstance(value, datetime | date):
            fallback = "datetime" if isinstance(value, datetime) else "date"
            style = self.styles.get(kind if kind in ("date", "datetime") else fallback)
            return f'<c r="{ref}" s="{style}"><v>{excel_serial(value)!r}</v></c>'
        if isinstance(value, time | timedelta):
            value = str(value)
        if isinstance(value, list | tuple):
            value = ", ".join("" if v is None else str(v) for v in value)
        stored, risky = self.text(str(value))
        stored = _INVALID.sub("", stored).translate(_XML_ESCAPES)
        space = ' xml:space="preserve"' if stored != stored.strip() else ""
        quote = f' s="{self.quote_style}"' if risky else ""
        return f'<c r="{ref}"{quote} t="inlineStr"><is><t{space}>{stored}</t></is></c>'

    def _serializer(self, kind: str) -> Any:
        """A cell writer specialised for the column's type; other values take the general path."""
        general = self._cell
        if kind == "int":
            style = self.styles.get("int")
            attr = f' s="{style}"' if style else ""

            def integer(ref: str, value: Any) -> str:
                if value.__class__ is int:
                    return f'<c r="{ref}"{attr}><v>{value}</v></c>'
                return general(ref, kind, value)

            return integer
        if kind == "text":
            text, quote = self.text, self.quote_style

            def string(ref: str, value: Any) -> str:
                if value.__class__ is not str:
                    return general(ref, kind, value)
                stored, risky = text(value)
                stored = stored.translate(_XML_ESCAPES)
                if _INVALID.search(stored):
                    stored = _INVALID.sub("", stored)
                space = (
                    ' xml:space="preserve"' if stored[:1].isspace() or stored[-1:].isspace() else ""
                )
                style = f' s="{quote}"' if risky else ""
                return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{stored}</t></is></c>'

            return string
        if kind == "datetime":
            style = self.styles.get("datetime")

            def moment(ref: str, value: Any) -> str:
                if value.__class__ is datetime and value.tzinfo is None:
                    delta = value - EPOCH
                    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
                    return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
                return general(ref, kind, value)

            return moment
        return lambda ref, value: general(ref, kind, value)

    def write(self, rows: Iterable[Sequence[Any]], out: TextOut, first_row: int = 2) -> int:
        """Write `<row>` elements from `first_row` on; returns how many rows were written."""
        count = 0
        cells = [
            (letter, self._serializer(kind))
            for letter, kind in zip(self.letters, self.kinds, strict=True)
        ]
        for number, row in enumerate(rows, first_row):
            parts = [f'<row r="{number}">']
            for (letter, serialise), value in zip(cells, row, strict=True):
                if value is not None:
                    parts.append(serialise(f"{letter}{number}", value))
            parts.append("</row>")
            out.write("".join(parts))
            count += 1
        return count


def _class(chars: Iterable[str]) -> str:
    """A regular-expression character class body (RE2 syntax) matching `chars`."""
    return "".join(f"\\x{{{ord(c):X}}}" for c in chars)


def _text_sql(value: str, ref: str, quote_style: int, prefixes: Sequence[str]) -> str:
    """An inline-string cell for the VARCHAR expression `value`, as `RowWriter` writes it.

    One regular expression picks out the rare values that need escaping, a quote prefix or
    xml:space; the rest are written as they are. Tests are regular expressions, not `in`
    lists: DuckDB turns those into joins evaluated on every row, before the `case`.
    """
    spaces = _class(_SPACES)
    controls = f"[{_class(map(chr, _CONTROLS))}\\x{{FFFE}}\\x{{FFFF}}]"
    special = f"^[{_class(prefixes)}{spaces}]|[{spaces}]$|{controls}|[&<>]|_x[0-9A-Fa-f]{{4}}_"
    # Each escape only where it applies, in excel.safe_text's order: literal escapes first.
    literal = (
        f"case when contains({value}, '_x') "
        f"then regexp_replace({value}, '_x([0-9A-Fa-f]{{4}})_', '_x005F_x\\1_', 'g') "
        f"else {value} end"
    )
    escaped = literal
    for code in _CONTROLS:
        escaped = f"replace({escaped}, chr({code}), '_x{code:04X}_')"
    escaped = f"regexp_replace({escaped}, '[\\x{{FFFE}}\\x{{FFFF}}]', '', 'g')"
    stored = f"case when regexp_matches({value}, '{controls}') then {escaped} else {literal} end"
    xml = f"replace(replace(replace({stored}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    # Whether the stored text starts or ends with a space: the escapes only put `_` or `&`
    # in place of a character, but a removed U+FFFE can uncover a space.
    visible = f"regexp_replace({value}, '[\\x{{FFFE}}\\x{{FFFF}}]', '', 'g')"
    formula_like = f"regexp_matches({value}, '^[{_class(prefixes)}]')" if prefixes else "false"
    quote = f"""case when {formula_like} then ' s="{quote_style}"' end"""
    space = (
        f"case when regexp_matches({visible}, '^[{spaces}]|[{spaces}]$') "
        """then ' xml:space="preserve"' end"""
    )
    slow = (
        f"""concat('<c r="{ref}"', {quote}, ' t="inlineStr"><is><t', {space}, '>', {xml}, """
        "'</t></is></c>')"
    )
    fast = f"""'<c r="{ref}" t="inlineStr"><is><t>' || {value} || '</t></is></c>'"""
    return f"case when regexp_matches({value}, '{special}') then {slow} else {fast} end"


def _cell_sql(
    value: str,
    duck_type: str,
    kind: str,
    ref: str,
    styles: Mapping[str, int],
    quote_style: int,
    prefixes: Sequence[str],
) -> str | None:
    """SQL of one cell (NULL when the value is), or None for a type only Python writes."""
    t = duck_type.upper()
    if t in INTEGER_TYPES:
        style = styles.get(kind) if kind == "int" else None
        attr = f' s="{style}"' if style else ""
        return f"""'<c r="{ref}"{attr}><v>' || cast({value} as varchar) || '</v></c>'"""
    if t == "BOOLEAN":
        flag = f"case when {value} then '1' when not {value} then '0' end"
        return f"""'<c r="{ref}" t="b"><v>' || {flag} || '</v></c>'"""
    if t in FLOAT_TYPES:
        style = styles.get(kind)
        attr = f' s="{style}"' if style else ""
        number = f"cast({value} as double)"
        return (
            f"case when isfinite({number}) then "
            f"""'<c r="{ref}"{attr}><v>' || cast({number} as varchar) || '</v></c>' end"""
        )
    if t == "DATE":
        style = styles.get(kind if kind in ("date", "datetime") else "date")
        days = f"cast({value} - date '1899-12-30' as double)"
        return f"""'<c r="{ref}" s="{style}"><v>' || cast({days} as varchar) || '</v></c>'"""
    if t == "TIMESTAMP":
        style = styles.get(kind if kind in ("date", "datetime") else "datetime")
        # The same floating-point steps as excel_serial (days, then seconds and microseconds
        # over 86,400), with floor division like Python's timedelta: the same double.
        us = f"(epoch_us({value}) - ({_EPOCH_US}))"
        rest = f"((({us}) % {_DAY_US} + {_DAY_US}) % {_DAY_US})"
        days = f"cast((({us}) - {rest}) // {_DAY_US} as double)"
        seconds = f"cast({rest} // 1000000 as double)"
        micros = f"cast({rest} % 1000000 as double)"
        serial = f"({days} + ({seconds} + {micros} / 1000000.0::double) / 86400.0::double)"
        return f"""'<c r="{ref}" s="{style}"><v>' || cast({serial} as varchar) || '</v></c>'"""
    if t == "VARCHAR":
        return _text_sql(value, ref, quote_style, prefixes)
    if t == "VARCHAR[]":
        joined = (
            f"coalesce(array_to_string(list_transform({value}, x -> coalesce(x, '')), ', '), '')"
        )
        text = _text_sql(joined, ref, quote_style, prefixes)
        return f"case when {value} is not null then {text} end"
    return None


def row_sql(
    query: str,
    columns: Sequence[tuple[str, str, str]],
    styles: Mapping[str, int],
    quote_style: int,
    prefixes: Sequence[str],
) -> str | None:
    """A query of one VARCHAR per row of `query`: its `<c>` elements, ROW_MARK for the row.

    `columns` are (name, DuckDB type, kind) of the query's columns, in order. None when a
    column's type is one only `RowWriter` writes (or names repeat): write those rows in Python.
    """
    names = [name for name, _, _ in columns]
    if not columns or len(set(names)) != len(names):
        return None
    cells = []
    for index, (name, duck_type, kind) in enumerate(columns):
        value = '"' + name.replace('"', '""') + '"'
        cell = _cell_sql(
            f"q.{value}",
            duck_type,
            kind,
            f"{get_column_letter(index + 1)}{ROW_MARK}",
            styles,
            quote_style,
            prefixes,
        )
        if cell is None:
            return None
        cells.append(cell)
    return f"select concat({', '.join(cells)}) as xml from ({query}) q"


def number_rows(rows: Sequence[tuple[str]], first_row: int) -> str:
    """The `<row>` elements of rows made by `row_sql`, numbered from `first_row`."""
    return "".join(
        [
            f'<row r="{n}">{xml.replace(ROW_MARK, str(n))}</row>'
            for n, (xml,) in enumerate(rows, first_row)
        ]
    )


def write_built_rows(rows: Iterable[tuple[str]], out: TextOut, first_row: int = 2) -> int:
    """Write rows made by `row_sql` from `first_row` on; returns how many were written."""
    count = 0
    parts: list[str] = []
    for number, (xml,) in enumerate(rows, first_row):
        text = str(number)
        parts.append(f'<row r="{text}">{xml.replace(ROW_MARK, text)}</row>')
        count += 1
        if len(parts) == CHUNK_ROWS:
            out.write("".join(parts))
            parts.clear()
    out.write("".join(parts))
    return count


def write_built_batches(
    batches: Iterable[list[tuple[str]]], out: TextSink, first_row: int = 2
) -> int:
    """`write_built_rows` for a zip entry: the writer thread numbers each batch.

    While it does (and deflates), the report's thread waits on DuckDB for the next batch,
    which releases the GIL: the two cores share the work.
    """
    count = 0
    for batch in batches:
        out.write_later(partial(number_rows, batch, first_row + count))
        count += len(batch)
    return count


def splice(
    workbook: Path, fragments: Mapping[int, tuple[Path | RowSource, str]], target: Path
) -> None:
    """Copy `workbook` to `target`, appending each fragment's rows to its sheet's `sheetData`.

    `fragments` maps a sheet's 1-based position to (rows, full dimension ref): a file of rows,
    or a RowSource writing them as the entry is deflated.
    """
    # The streamed sheets (hundreds of MB of XML at 100,000 products) at deflate level 1: twice
    # as fast as level 5 for a file about a fifth larger; the small parts keep level 5.
    with (
        zipfile.ZipFile(workbook) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            fragment = fragments.get(int(match.group(1))) if match else None
            if fragment is None:
                out.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED, 5)
                continue
            rows, dimension = fragment
            xml = source.read(info.filename).decode("utf-8")
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
            head, sep, tail = xml.partition("</sheetData>")
            if not sep:  # a sheet with no rows at all has an empty <sheetData/>
                head, sep, tail = xml.partition("<sheetData/>")
                head += "<sheetData>"
            with (
                out.open(info.filename, "w", force_zip64=True) as stream,
                BackgroundWriter(stream) as writer,
            ):
                writer.write(head.encode("utf-8"))
                if isinstance(rows, Path):
                    with rows.open("rb") as fragment_file:
                        while chunk := fragment_file.read(1 << 21):
                            writer.write(chunk)
                else:
                    rows.write(TextSink(writer))
                writer.write(b"</sheetData>" + tail.encode("utf-8"))
