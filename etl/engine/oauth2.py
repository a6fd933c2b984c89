"""OAuth2 password flow: log in with a username and password, then send the bearer token."""

from __future__ import annotations

import asyncio

import httpx

from etl.errors import AuthError
from etl.redact import register_secret


class LoginUnavailable(httpx.TransportError):
    """The token endpoint answered 429 or 5xx: transient, so the client retries as usual."""


class PasswordLogin:
    """`POST token_url` with form fields `username`/`password`; answer `{access_token}`.

    The token is kept for the run and fetched again after a 401 (expired session). Only the
    token endpoint is posted to: it creates no data.
    """

    def __init__(self, token_url: str, username: str, password: str) -> None:
        self.token_url = token_url
        self._username = username
        self._password = password
        self._token: str | None = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.logins = 0

    def _guard(self) -> asyncio.Lock:
        # One lock per event loop: a runtime may be reused by consecutive `asyncio.run` calls.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        if self._token is None:
            async with self._guard():
                if self._token is None:
                    self._token = await self._login(client)
        return {"Authorization": f"Bearer {self._token}"}

    async def _login(self, client: httpx.AsyncClient) -> str:
        response = await client.post(
            self.token_url,
            data={"grant_type": "password", "username": self._username, "password": self._password},
        )
        status = response.status_code
        if status == 429 or status >= 500:
            raise LoginUnavailable(f"token endpoint answered HTTP {status}")
        if status != 200:
            raise AuthError(f"login to {self.token_url} refused: HTTP {status}{_detail(response)}")
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            raise AuthError(f"login to {self.token_url}: no access_token in the answer") from None
        if not isinstance(token, str) or not token:
            raise AuthError(f"login to {self.token_url}: no access_token in the answer")
        register_secret(token)
        self.logins += 1
        return token

    def invalidate(self) -> bool:
        self._token = None
        return True

    def __repr__(self) -> str:
        return f"PasswordLogin({self.token_url!r}, ***)"


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return f" ({detail[:200]})"
    return ""
