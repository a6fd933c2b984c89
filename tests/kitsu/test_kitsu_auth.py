"""The Kitsu login flow: one login, refresh after a 401, login again when refresh fails."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from etl.config import parse_config
from etl.engine.auth import BearerToken
from etl.errors import AuthError
from etl.sources.kitsu.auth import ZouLogin
from etl.sources.kitsu.source import auth_from_env, bind


class FakeZouAuth:
    """`/auth/login` and `/auth/refresh-token`, counting calls; tokens numbered per issue."""

    def __init__(self, refresh_works: bool = True) -> None:
        self.refresh_works = refresh_works
        self.logins = 0
        self.refreshes = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/auth/login":
            body = json.loads(request.content)
            if body != {"email": "a@example.com", "password": "right-password"}:
                return httpx.Response(
                    400, json={"login": False, "message": "Wrong email or password."}
                )
            self.logins += 1
            return httpx.Response(
                200,
                json={"access_token": f"access-{self.logins}", "refresh_token": "refresh-1"},
            )
        if request.url.path == "/api/auth/refresh-token":
            assert request.headers["Authorization"] == "Bearer refresh-1"
            if not self.refresh_works:
                return httpx.Response(401, json={"msg": "Token has expired"})
            self.refreshes += 1
            return httpx.Response(200, json={"access_token": f"refreshed-{self.refreshes}"})
        return httpx.Response(404)


def _headers(login: ZouLogin, fake: FakeZouAuth) -> str:
    async def go() -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as client:
            return (await login.headers(client))["Authorization"]

    return asyncio.run(go())


def test_kitsu_login_once_then_reuses_the_token() -> None:
    fake = FakeZouAuth()
    login = ZouLogin("http://zou.test/api/", "a@example.com", "right-password")
    assert _headers(login, fake) == "Bearer access-1"
    assert _headers(login, fake) == "Bearer access-1"
    assert fake.logins == 1


def test_kitsu_login_refreshes_after_a_401() -> None:
    fake = FakeZouAuth()
    login = ZouLogin("http://zou.test/api", "a@example.com", "right-password")
    _headers(login, fake)
    assert login.invalidate() is True
    assert _headers(login, fake) == "Bearer refreshed-1"
    assert (fake.logins, fake.refreshes) == (1, 1)


def test_kitsu_login_again_when_the_refresh_token_expired() -> None:
    fake = FakeZouAuth(refresh_works=False)
    login = ZouLogin("http://zou.test/api", "a@example.com", "right-password")
    _headers(login, fake)
    login.invalidate()
    assert _headers(login, fake) == "Bearer access-2"
    assert fake.logins == 2


def test_kitsu_wrong_password_is_an_auth_error() -> None:
    login = ZouLogin("http://zou.test/api", "a@example.com", "wrong")
    with pytest.raises(AuthError) as caught:
        _headers(login, FakeZouAuth())
    assert str(caught.value) == (
        "Kitsu at http://zou.test/api refused the login: Wrong email or password "
        "(check the email and password environment variables)"
    )


def test_kitsu_bot_token_wins_over_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config({"sources": {"kitsu": {"base_url": "http://zou.test/api"}}}, None)
    assert config.sources.kitsu is not None
    monkeypatch.setenv("KITSU_TOKEN", "bot-token")
    assert isinstance(auth_from_env(config.sources.kitsu, config), BearerToken)
    monkeypatch.delenv("KITSU_TOKEN")
    monkeypatch.setenv("KITSU_EMAIL", "a@example.com")
    monkeypatch.setenv("KITSU_PASSWORD", "right-password")
    assert isinstance(auth_from_env(config.sources.kitsu, config), ZouLogin)


def test_kitsu_config_picks_projects_route_and_deletions() -> None:
    config = parse_config(
        {
            "sources": {
                "kitsu": {
                    "base_url": "http://zou.test/api",
                    "all_projects": True,
                    "deletions": "reconcile",
                    "page_size": 50,
                }
            }
        },
        None,
    )
    assert config.sources.kitsu is not None
    source = bind(config.sources.kitsu)
    assert source.resource("projects").path == "/data/projects"
    assert "deletion_events" not in [r.name for r in source.resources]
    assert source.resource("tasks").paginator.page_size == 50  # type: ignore[union-attr]
