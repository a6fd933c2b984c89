"""The vendor's webhook body checked at the door: what a message must hold to be stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Topic -> (raw resource it feeds, what it does). The spec's `topic` enum; anything else is
# stored and reported, never refused: the vendor may add topics before we know them.
TOPICS: dict[str, tuple[str, str]] = {
    "pictures/create": ("pictures", "upsert"),
    "pictures/update": ("pictures", "upsert"),
    "pictures/delete": ("pictures", "delete"),
    "references/create": ("references", "upsert"),
    "references/update": ("references", "upsert"),
    "references/delete": ("references", "delete"),
}


class MalformedMessage(ValueError):
    """The body cannot be a vendor message; the text says what is wrong, for a 400 answer."""


@dataclass(frozen=True)
class Message:
    """One pushed message: its topic, account and records keyed by id (`data`)."""

    topic: str
    type: str | None
    account_id: int
    ids: tuple[int, ...]
    data: dict[str, Any]

    @property
    def known(self) -> bool:
        return self.topic in TOPICS

    def records(self) -> list[Any]:
        """Records in the order of `ids`, then any left in `data` (as the vendor keys them)."""
        ordered = [self.data[str(i)] for i in self.ids if str(i) in self.data]
        listed = {str(i) for i in self.ids}
        ordered.extend(v for k, v in self.data.items() if k not in listed)
        return ordered


def _ids(body: dict[str, Any]) -> tuple[int, ...]:
    # `picture_id` is the deprecated name of `ids`; older senders may still use it.
    raw = body.get("ids", body.get("picture_id", []))
    if not isinstance(raw, list):
        raise MalformedMessage("'ids' must be an array of ids")
    ids: list[int] = []
    for value in raw:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise MalformedMessage(f"'ids' holds {value!r}, not an id")
        try:
            ids.append(int(value))
        except ValueError:
            raise MalformedMessage(f"'ids' holds {value!r}, not an id") from None
    return tuple(ids)


def parse_message(raw: bytes) -> Message:
    """Decode and check a body; raises `MalformedMessage` naming the first problem."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedMessage(f"body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise MalformedMessage(f"body must be a JSON object, got {type(body).__name__}")
    topic = body.get("topic")
    if not isinstance(topic, str) or not topic:
        raise MalformedMessage("'topic' must be a non-empty string")
    account = body.get("account_id")
    if isinstance(account, bool) or not isinstance(account, int):
        raise MalformedMessage("'account_id' must be an integer")
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        raise MalformedMessage("'type' must be a string")
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise MalformedMessage("'data' must be an object of records keyed by id")
    ids = _ids(body)
    if topic in TOPICS:
        for key, record in data.items():
            if not isinstance(record, dict):
                raise MalformedMessage(f"data[{key!r}] must be an object (a record)")
        if not data and not ids:
            raise MalformedMessage("a message must carry 'ids' or 'data'")
    return Message(topic=topic, type=kind, account_id=account, ids=ids, data=data)
