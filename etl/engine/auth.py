"""Authentication strategies: each adds its header to requests and may log in first."""

from __future__ import annotations

from typing import Protocol

import httpx


class Auth(Protocol):
    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        """Headers to send; may perform a login request the first time."""
        ...

    def invalidate(self) -> bool:
        """After a 401: forget a cached session; True when logging in again may help."""
        ...


class BearerToken:
    """A static token sent as `Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "BearerToken(***)"
