"""Raw-table layouts: the columns a record model lands as, keys, and typed batches of rows.

Shared by every warehouse kind: the layout of a raw table is the same in a DuckDB file and in a
lake. Sources and resources are read through small protocols, so this package imports nothing
of the engine (the engine imports it).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Protocol, Union

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel

META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_raw", "JSON"),
    ("_synced_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_deleted_at", "TIMESTAMP"),
)

_ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
}

# A batch of rows column by column: a list of values per column name (JSON columns as text).
Columns = dict[str, list[Any]]


class TableResource(Protocol):
    """What a raw table needs of a resource declaration."""

    @property
    def name(self) -> str: ...
    @property
    def model(self) -> type[BaseModel]: ...
    @property
    def primary_key(self) -> tuple[str, ...]: ...
    def table(self, source: str) -> str: ...


class TableSource(Protocol):
    """What a raw table needs of a source declaration."""

    @property
    def name(self) -> str: ...
    @property
    def scope_column(self) -> str: ...
    @property
    def scope_type(self) -> str: ...
    @property
    def resources(self) -> Sequence[TableResource]: ...


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
        return Any
    if origin is Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def duckdb_type(annotation: Any) -> str:
    """DuckDB column type for a field annotation; containers and unions become JSON."""
    base = _strip_optional(annotation)
    if base is bool:
        return "BOOLEAN"
    if base is int:
        return "BIGINT"
    if base is float:
        return "DOUBLE"
    if base is str:
        return "VARCHAR"
    if base is datetime:
        return "TIMESTAMP"
    if base is date:
        return "DATE"
    return "JSON"


def record_columns(model: type[BaseModel]) -> list[tuple[str, str]]:
    """(column, DuckDB type) for each declared field of a record model, in declaration order."""
    return [(name, duckdb_type(info.annotation)) for name, info in model.model_fields.items()]


@dataclass(frozen=True)
class RawTable:
    """Where one resource of one source lands, and its column layout."""

    source: TableSource
    resource: TableResource

    @property
    def table_name(self) -> str:
        """The unquoted name inside the `raw` schema, e.g. `grandshooting__pictures`."""
        return self.resource.table(self.source.name)

    @property
    def name(self) -> str:
        return f"raw.{quote(self.table_name)}"

    @property
    def scope_column(self) -> str:
        return self.source.scope_column

    @property
    def columns(self) -> list[tuple[str, str]]:
        fields = [(n, t) for n, t in record_columns(self.resource.model) if n != self.scope_column]
        return [(self.scope_column, self.source.scope_type), *fields, *META_COLUMNS]

    @property
    def key(self) -> tuple[str, ...]:
        return (self.scope_column, *self.resource.primary_key)


def json_text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def rows_frame(table: RawTable, rows: Sequence[dict[str, Any]]) -> pa.Table:
    """A typed Arrow table of landed rows, one dict per row; JSON columns are serialised here,
    once. Within the batch the last copy of a key wins, as in `columns_table`."""
    json_columns = {name for name, kind in table.columns if kind == "JSON"}
    columns: dict[str, list[Any]] = {}
    for name, _ in table.columns:
        values = [row.get(name) for row in rows]
        if name in json_columns:
            values = [v if isinstance(v, str | None) else json_text(v) for v in values]
        columns[name] = values
    return columns_table(table, columns)


def batch_rows(columns: Mapping[str, Sequence[Any]]) -> int:
    """How many rows a column batch holds."""
    return len(next(iter(columns.values()), ()))


def _arrow_column(values: Sequence[Any], kind: str) -> pa.Array:
    try:
        return pa.array(values, type=_ARROW_TYPES[kind])
    except (pa.ArrowException, OverflowError, TypeError):
        # A value Arrow will not take as is (a bool in an integer column, an integer too large):
        # converted one value at a time, leniently (see `_lenient_value`).
        return pa.array([_lenient_value(v, kind) for v in values], type=_ARROW_TYPES[kind])


def _lenient_value(value: Any, kind: str) -> Any:
    """`value` as a scalar of the column's type by Arrow's safe cast ("7" and True become 7 in
    an integer column, a whole float its integer, a float its truncation), or None when it
    has no such value (out of range, not a number): a bad field never fails the batch."""
    target = _ARROW_TYPES[kind]
    try:
        return pa.scalar(value, type=target).as_py()
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        pass
    if kind == "BIGINT" and isinstance(value, float) and abs(value) < 2**63:
        return int(value)  # truncated toward zero, as a non-strict cast does
    try:
        return pa.array([value]).cast(target).to_pylist()[0]
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None


def columns_table(table: RawTable, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """An Arrow table of a column batch (`Columns`, as the engine builds them): a conversion
    per column instead of a dict per row, and no copy into another library's memory."""
    count = batch_rows(columns)
    arrays = [
        _arrow_column(columns[name], kind)
        if name in columns
        else pa.nulls(count, _ARROW_TYPES[kind])
        for name, kind in table.columns
    ]
    batch = pa.table(arrays, names=[name for name, _ in table.columns])
    return last_per_key(batch, table.key)


def last_per_key(batch: pa.Table, key: Sequence[str]) -> pa.Table:
    """The batch with only the last row of each key, in order: within one batch the last copy
    of a key wins, as it would across batches."""
    if batch.num_rows < 2:
        return batch
    ordinal = pa.array(range(batch.num_rows), type=pa.int64())
    keys = batch.select(list(key)).append_column("_ordinal", ordinal)
    last = keys.group_by(list(key), use_threads=False).aggregate([("_ordinal", "max")])
    if last.num_rows == batch.num_rows:
        return batch
    kept = last["_ordinal_max"]
    return batch.take(kept.take(pc.sort_indices(kept)))


@dataclass
class StateUpdate:
    """Sync bookkeeping written in the same transaction as the rows it describes."""

    source: str
    scope: str
    resource: str
    pass_state: dict[str, Any] | None
    run_id: str
    pages: int
    rows: int
