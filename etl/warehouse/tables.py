"""Raw-table layouts: the columns a record model lands as, keys, and batches of rows.

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

from pydantic import BaseModel

META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_raw", "JSON"),
    ("_synced_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_deleted_at", "TIMESTAMP"),
)

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


def batch_rows(columns: Mapping[str, Sequence[Any]]) -> int:
    """How many rows a column batch holds."""
    return len(next(iter(columns.values()), ()))


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
