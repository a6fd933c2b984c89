"""Fast rows for big sheets: SpreadsheetML `<row>` elements streamed to a file, then spliced in.

openpyxl builds an object per cell and serialises it through a generic XML writer (about 50,000
cells a second here); a sheet of 400,000 pictures has millions of cells. The workbook around
the rows (styles, tables, conditional formats, widths, frozen panes) is still openpyxl's: it
writes each big sheet with its header row only, and `splice` inserts the streamed rows into the
saved file. Values are typed exactly as openpyxl would (numbers, dates with a number format,
inline strings), so text is never a formula.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl.utils import get_column_letter

EPOCH = datetime(1899, 12, 30)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters XML 1.0 cannot carry at all (after control characters were escaped as _xHHHH_).
_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")


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

    def write(self, rows: Iterable[Sequence[Any]], out: IO[str], first_row: int = 2) -> int:
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


def splice(workbook: Path, fragments: Mapping[int, tuple[Path, str]], target: Path) -> None:
    """Copy `workbook` to `target`, appending each fragment's rows to its sheet's `sheetData`.

    `fragments` maps a sheet's 1-based position to (rows file, full dimension ref).
    """
    with (
        zipfile.ZipFile(workbook) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as out,
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
            with out.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head.encode("utf-8"))
                with rows.open("rb") as fragment_file:
                    shutil.copyfileobj(fragment_file, stream, 1 << 20)
                stream.write(b"</sheetData>" + tail.encode("utf-8"))
