"""Kitsu authentication: log in with email and password, refresh on expiry, or a bot token."""

from __future__ import annotations

import asyncio

import httpx

from etl.errors import AuthError
from etl.redact import register_secret

# Connection attempts of a login before the server counts as unreachable.
LOGIN_ATTEMPTS = 3


class KitsuUnreachableError(AuthError):
    """The Kitsu server could not be reached at all.

    An AuthError on purpose: the engine then stops the extract at once instead of retrying
    every resource against a server that is not there.
    """


class ZouLogin:
    """`POST /auth/login` once, then `Authorization: Bearer <access token>`.

    After a 401 the engine calls `invalidate`: the next request refreshes the access token
    with the refresh token (`GET /auth/refresh-token`), or logs in again if that fails.
    """

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._email = email
        self._password = password
        self._access: str | None = None
        self._refresh: str | None = None
        self._lock: asyncio.Lock | None = None
        self.logins = 0
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"ZouLogin({self.base_url!r}, ***)"

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        if self._lock is None:
            self._lock = asyncio.Lock()
        # Concurrent requests wait for one login instead of each logging in.
        async with self._lock:
            if self._access is None and self._refresh is not None:
                await self._refresh_access(client)
            if self._access is None:
                await self._login(client)
        return {"Authorization": f"Bearer {self._access}"}

    def invalidate(self) -> bool:
        self._access = None
        return True

    async def _post_login(self, client: httpx.AsyncClient) -> httpx.Response:
        url = f"{self.base_url}/auth/login"
        problem = ""
        for attempt in range(LOGIN_ATTEMPTS):
            try:
                return await client.post(
                    url, json={"email": self._email, "password": self._password}
                )
            except httpx.TransportError as exc:
                problem = str(exc) or type(exc).__name__
            if attempt + 1 < LOGIN_ATTEMPTS:
                await asyncio.sleep(0.5 * 2**attempt)
        raise KitsuUnreachableError(
            f"cannot reach Kitsu at {self.base_url} ({problem}): "
            "check sources.kitsu.base_url (with its /api prefix if served behind nginx)"
        )

    async def _login(self, client: httpx.AsyncClient) -> None:
        response = await self._post_login(client)
        self.logins += 1
        if response.status_code in (400, 401, 403):
            raise AuthError(
                f"Kitsu at {self.base_url} refused the login: {_message(response)} "
                "(check the email and password environment variables)",
                response.status_code,
            )
        body = _json(response)
        if not isinstance(body, dict):
            body = {}
        token = body.get("access_token")
        if response.status_code != 200 or not isinstance(token, str):
            raise AuthError(
                f"{self.base_url}/auth/login answered HTTP {response.status_code} without a "
                "token: is this a Kitsu (Zou) API? (sources.kitsu.base_url)",
                response.status_code,
            )
        register_secret(token)
        refresh = body.get("refresh_token")
        if isinstance(refresh, str):
            register_secret(refresh)
            self._refresh = refresh
        self._access = token

    async def _refresh_access(self, client: httpx.AsyncClient) -> None:
        try:
            response = await client.get(
                f"{self.base_url}/auth/refresh-token",
                headers={"Authorization": f"Bearer {self._refresh}"},
            )
        except httpx.TransportError:
            return
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code == 200 and isinstance(token, str):
            register_secret(token)
            self._access = token
            self.refreshes += 1
        else:
            # An expired refresh token: log in again with the password.
            self._refresh = None


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    body = _json(response)
    if isinstance(body, dict):
        for key in ("message", "msg", "error"):
            if isinstance(body.get(key), str):
                return str(body[key]).rstrip(".")
    return f"HTTP {response.status_code}"
