"""Request parameters checked the way FastAPI does (422 with a `detail` list), and paging."""

from __future__ import annotations

import uuid
from typing import Any

from etl.simulators.sartiq.records import Json

_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


class HttpError(Exception):
    """An error answer: status, the `detail` of the body, extra headers."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def invalid(where: str, name: str, kind: str, msg: str, value: Any) -> HttpError:
    """A 422 naming the parameter (`loc`), as FastAPI's validation errors do."""
    return HttpError(422, [{"type": kind, "loc": [where, name], "msg": msg, "input": value}])


def last(values: dict[str, list[str]], name: str) -> str | None:
    """The last value of a repeated parameter, as FastAPI keeps it."""
    found = values.get(name)
    return found[-1] if found else None


def parse_uuid(where: str, name: str, value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise invalid(where, name, "uuid_parsing", "Input should be a valid UUID", value) from None


class Query:
    """Query parameters, validated the way FastAPI does (422 with a `detail` list)."""

    def __init__(self, raw: dict[str, list[str]]) -> None:
        self.raw = raw

    def get(self, name: str) -> str | None:
        return last(self.raw, name)

    def integer(self, name: str, default: int, minimum: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise invalid(
                "query",
                name,
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                value,
            ) from None
        if number < minimum:
            raise invalid(
                "query",
                name,
                "greater_than_equal",
                f"Input should be greater than or equal to {minimum}",
                value,
            )
        return number

    def boolean(self, name: str, default: bool | None) -> bool | None:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise invalid("query", name, "bool_parsing", "Input should be a valid boolean", value)

    def uuid(self, name: str) -> str | None:
        value = self.get(name)
        if value is None or value == "":
            return None
        return parse_uuid("query", name, value)


def page(rows: list[Json], query: Query, max_limit: int | None = None) -> Json:
    """One `skip`/`limit` page in the `{data, count}` envelope."""
    skip = query.integer("skip", 0, 0)
    limit = query.integer("limit", 100, 1)
    if max_limit is not None and limit > max_limit:
        raise invalid(
            "query",
            "limit",
            "less_than_equal",
            f"Input should be less than or equal to {max_limit}",
            str(limit),
        )
    rows_page = rows[skip : skip + limit]
    # `count` is the size of the page, not the total: connectors must not trust it as one.
    return {"data": rows_page, "count": len(rows_page)}
