"""The one exception the lake modules raise; its message is a single line for a person."""

from __future__ import annotations

from etl.errors import ShotlistError


class LakeError(ShotlistError):
    """A lake cannot be used: an extension is missing, the catalog or data path is unreachable."""
