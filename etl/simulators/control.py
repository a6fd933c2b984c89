"""The simulators' own control endpoint, outside every vendor API: `POST /_sim/advance?days=N`
runs N simulated days of work (the demo and tests call the Python API instead, in-process)."""

from __future__ import annotations

CONTROL_PREFIX = "/_sim/"
ADVANCE_PATH = "/_sim/advance"
MAX_DAYS = 366


class ControlError(ValueError):
    """A control request the simulator refuses: HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def advance_days(method: str, path: str, query: list[tuple[str, str]]) -> int:
    """The number of days a control request asks for (`days`, default 1), or a ControlError."""
    if path.rstrip("/") != ADVANCE_PATH:
        raise ControlError(404, f"no control endpoint {path} (known: POST {ADVANCE_PATH})")
    if method != "POST":
        raise ControlError(405, f"{method} {ADVANCE_PATH}: use POST")
    raw = next((v for k, v in reversed(query) if k == "days"), "1")
    try:
        days = int(raw)
    except ValueError:
        raise ControlError(400, f"days: {raw!r} is not a whole number") from None
    if not 0 <= days <= MAX_DAYS:
        raise ControlError(400, f"days: {days} is not between 0 and {MAX_DAYS}")
    return days
