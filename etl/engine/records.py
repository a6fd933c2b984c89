"""Base of every record model, and lenient API dates (column types: `etl.warehouse.tables`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S")


def parse_api_datetime(value: Any) -> Any:
    """Accept the shapes APIs send (ISO with or without zone, dates, dd/mm/yyyy); naive UTC."""
    if type(value) is str:
        # The commonest case first: a UTC time ending in `Z` (three or four per picture) is
        # read naive without its `Z`, the same wall time as converting the aware one (a third
        # of the cost). Only a date-and-time text that comes out naive is taken this way.
        if len(value) > 11 and value[-1] == "Z" and value[10] in "T ":
            try:
                parsed = datetime.fromisoformat(value[:-1])
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    return parsed
        # Then an ISO text, `Z` or an offset included, which `fromisoformat` reads as is since
        # Python 3.11. Anything else takes the lenient path below, with the same result for
        # what this one accepts.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            offset = parsed.utcoffset()
            if offset is None:
                return parsed
            return (parsed - offset).replace(tzinfo=None)
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
