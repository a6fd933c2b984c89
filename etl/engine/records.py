"""Base of every record model, lenient API dates, and the mapping of fields to DuckDB columns."""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime
from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S")


def parse_api_datetime(value: Any) -> Any:
    """Accept the shapes APIs send (ISO with or without zone, dates, dd/mm/yyyy); naive UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(f"unrecognised date {text!r}") from None
    else:
        raise ValueError(f"expected a date, got {type(value).__name__}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


ApiDateTime = Annotated[datetime, BeforeValidator(parse_api_datetime)]


class Record(BaseModel):
    """An API record: declared fields are typed columns; anything else is kept, not fatal."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False)

    @classmethod
    def api_field_names(cls) -> set[str]:
        """Names the API uses for declared fields (aliases included)."""
        names: set[str] = set()
        for name, info in cls.model_fields.items():
            names.add(info.alias or name)
        return names


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


def record_columns(model: type[Record]) -> list[tuple[str, str]]:
    """(column, DuckDB type) for each declared field of a record model, in declaration order."""
    return [(name, duckdb_type(info.annotation)) for name, info in model.model_fields.items()]
