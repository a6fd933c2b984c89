"""Typed Arrow batches of landed rows, built with arro3 and scanned by DuckDB without pyarrow.

arro3 is a small Arrow library (about 5 MB resident against pyarrow's 70 with numpy), and
DuckDB reads its tables through the Arrow PyCapsule interface: the sync imports no pyarrow.
Each column is converted in one call when its values already have the column's Python type
(what validated records give); otherwise value by value, leniently (`lenient_value`): a bad
field becomes its typed value or null, it never fails the batch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import arro3.core as a3
from pydantic_core import from_json

from etl.warehouse.tables import RawTable, batch_rows, json_text

_INT64 = a3.DataType.int64()
_INT32 = a3.DataType.int32()
_TIMESTAMP = a3.DataType.timestamp("us")
_DATE = a3.DataType.date32()

# The Arrow type each DuckDB column type lands as (JSON columns as their text).
ARROW_TYPES: dict[str, a3.DataType] = {
    "BIGINT": _INT64,
    "DOUBLE": a3.DataType.float64(),
    "VARCHAR": a3.DataType.string(),
    "JSON": a3.DataType.string(),
    "TIMESTAMP": _TIMESTAMP,
    "DATE": _DATE,
    "BOOLEAN": a3.DataType.bool(),
}

# Arrow's canonical JSON extension type: text that is JSON.
_JSON_FIELD = {"ARROW:extension:name": "arrow.json", "ARROW:extension:metadata": ""}

_EPOCH = datetime(1970, 1, 1)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_MICROSECOND = timedelta(microseconds=1)
_INT64_RANGE = range(-(2**63), 2**63)
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(inf|nan)", re.I)
_BOOLEAN_TEXT = {"true": True, "1": True, "false": False, "0": False}


def _micros(value: datetime) -> int:
    # Naive datetimes only: an aware one (or a date, a text) raises TypeError, and the column
    # takes the lenient path.
    return (value - _EPOCH) // _MICROSECOND


def _days(value: date) -> int:
    return value.toordinal() - _EPOCH_DAY


def _typed_array(values: Sequence[Any], kind: str) -> a3.Array:
    """One conversion for the column; raises when a value does not have the column's type."""
    if kind == "TIMESTAMP":
        micros = [None if v is None else _micros(v) for v in values]
        return a3.Array(micros, type=_INT64).cast(_TIMESTAMP)
    if kind == "DATE":
        if any(isinstance(v, datetime) for v in values):
            raise TypeError("a datetime in a date column")  # taken leniently: its date
        days = [None if v is None else _days(v) for v in values]
        return a3.Array(days, type=_INT32).cast(_DATE)
    return a3.Array(values, type=ARROW_TYPES[kind])


def _to_bigint(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if value in _INT64_RANGE else None
    if isinstance(value, float):
        # Truncated toward zero, as a non-strict cast does.
        return int(value) if math.isfinite(value) and int(value) in _INT64_RANGE else None
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        number = int(value)
        return number if number in _INT64_RANGE else None
    return None


def _to_double(value: Any) -> float | None:
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return float(value)
    return None


def _to_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date):
        return str(value)  # a datetime as "2026-11-01 10:00:00", as DuckDB writes one
    return None


def _json_column_value(value: Any) -> str | None:
    """A JSON column's text: a text already JSON as is (the engine's rows), another text as a
    JSON string, any other value serialised. Checked here because the frame's JSON columns
    land unparsed: a row given by hand must not store text that is not JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            from_json(value)
        except ValueError:
            return json_text(value)
        return value
    return json_text(value)


def _to_timestamp(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        # An integer in a timestamp column is microseconds since 1970, as Arrow reads it.
        try:
            return _EPOCH + value * _MICROSECOND
        except OverflowError:
            return None
    return None


def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return date.fromordinal(_EPOCH_DAY + value)
        except (OverflowError, ValueError):
            return None
    return None


def _to_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        return _BOOLEAN_TEXT.get(value.strip().lower())
    return None


_LENIENT: dict[str, Callable[[Any], Any]] = {
    "BIGINT": _to_bigint,
    "DOUBLE": _to_double,
    "VARCHAR": _to_text,
    "JSON": _json_column_value,
    "TIMESTAMP": _to_timestamp,
    "DATE": _to_date,
    "BOOLEAN": _to_boolean,
}


def lenient_value(value: Any, kind: str) -> Any:
    """`value` as a Python value of the column's type, or None when it has none: "7" and True
    become 7 in an integer column, a float its truncation, an integer past 64 bits None."""
    return None if value is None else _LENIENT[kind](value)


def typed_column(values: Sequence[Any], kind: str) -> tuple[Sequence[Any], a3.Array]:
    """The values as the column's Python type (as given when they all have it, else each
    converted by `lenient_value`), and the typed Arrow array of them."""
    try:
        return values, _typed_array(values, kind)
    except (TypeError, ValueError, OverflowError, AttributeError):
        converted = [lenient_value(v, kind) for v in values]
        return converted, _typed_array(converted, kind)


def last_per_key(columns: Mapping[str, Sequence[Any]], key: Sequence[str]) -> list[int] | None:
    """Positions of the last row of each key, in order; None when no key repeats (the usual
    case): within one batch the last copy of a key wins, as it would across batches."""
    count = batch_rows(columns)
    if count < 2:
        return None
    last = {row: i for i, row in enumerate(zip(*(columns[k] for k in key), strict=True))}
    if len(last) == count:
        return None
    return sorted(last.values())


def columns_table(table: RawTable, columns: Mapping[str, Sequence[Any]]) -> a3.Table:
    """An Arrow table of a column batch (`Columns`, as the engine builds them): a conversion
    per column, the last copy of each key kept."""
    count = batch_rows(columns)
    kinds = dict(table.columns)
    # The key is compared as typed ("7" and 7 are one key), so its columns are typed first.
    typed = {
        name: typed_column(columns.get(name, [None] * count), kinds[name]) for name in table.key
    }
    kept = last_per_key({name: values for name, (values, _) in typed.items()}, table.key)
    arrays = []
    for name, kind in table.columns:
        if kept is None and name in typed:
            arrays.append(typed[name][1])
            continue
        values = typed[name][0] if name in typed else columns.get(name)
        if values is None:
            arrays.append(a3.Array([None] * (len(kept) if kept else count), type=ARROW_TYPES[kind]))
            continue
        if kept is not None:
            values = [values[i] for i in kept]
        arrays.append(typed_column(values, kind)[1])
    return a3.Table.from_arrays(arrays, schema=frame_schema(table))


def frame_schema(table: RawTable) -> a3.Schema:
    """The Arrow schema of a table's frames: JSON columns are text typed `arrow.json`, which
    DuckDB reads as JSON without parsing the values (they are JSON text already)."""
    return a3.Schema(
        [
            a3.Field(name, ARROW_TYPES[kind], nullable=True).with_metadata(_JSON_FIELD)
            if kind == "JSON"
            else a3.Field(name, ARROW_TYPES[kind], nullable=True)
            for name, kind in table.columns
        ]
    )


def rows_frame(table: RawTable, rows: Sequence[dict[str, Any]]) -> a3.Table:
    """`columns_table` of rows given one dict per row; JSON columns are serialised here."""
    columns: dict[str, list[Any]] = {}
    for name, kind in table.columns:
        values = [row.get(name) for row in rows]
        if kind == "JSON":
            values = [_json_column_value(v) for v in values]
        columns[name] = values
    return columns_table(table, columns)
