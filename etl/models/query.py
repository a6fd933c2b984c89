"""`shotlist query`: run SQL on the analytics file (read-only) and format the rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from etl.config import Config
from etl.errors import ShotlistError
from etl.models.docs import open_analytics

FORMATS = ("table", "csv", "json")


class QueryError(ShotlistError):
    """The SQL given to `shotlist query` failed."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(_plain(value), ensure_ascii=False)
    return str(_plain(value))


def format_rows(names: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in rows],
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([_text(v) for v in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    out = [line, "| " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + " |"]
    out.append(line)
    out += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    out.append(line)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def run_query(config: Config, sql: str, fmt: str = "table", as_of: datetime | None = None) -> str:
    """Run `sql` on the analytics database opened read-only; return it formatted.

    `as_of` (a lake only): the build published last at or before that time.
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    con = open_analytics(config, as_of)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if names else []
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {' '.join(str(exc).splitlines()[:1])}") from None
    finally:
        con.close()
    return format_rows(names, rows, fmt)
