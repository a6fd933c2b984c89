"""The receiver's door: wrong secret, oversize and malformed bodies are refused and stored
nowhere; an unknown topic is accepted, kept and reported; the secret never reaches the log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from etl.config import Config
from etl.errors import ConfigError
from etl.webhooks.drain import drain_pending
from etl.webhooks.service import Listener
from tests.webhooks.helpers import REPO, SECRET, spool_rows


@pytest.fixture
def listener(config: Config, monkeypatch: pytest.MonkeyPatch) -> Iterator[Listener]:
    monkeypatch.setenv("SHOTLIST_WEBHOOK_SECRET", SECRET)
    running = Listener(config, "127.0.0.1", 0, drain=False)
    yield running
    running.close()


def base(listener: Listener) -> str:
    return f"http://127.0.0.1:{listener.server.port}"


def post(url: str, body: Any, **kw: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(url, content=content, timeout=10, **kw)


MESSAGE = {
    "account_id": 10229487,
    "topic": "pictures/update",
    "type": "picture",
    "ids": [175],
    "data": {"175": {"picture_id": 175, "picturestatus": 50}},
}


def test_receiver_refuses_wrong_secret_oversize_and_malformed(
    listener: Listener, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="etl")
    good = f"{base(listener)}/hooks/grandshooting/{SECRET}"
    wrong = [
        f"{base(listener)}/hooks/grandshooting/{SECRET[:-1]}x",
        f"{base(listener)}/hooks/grandshooting/",
        f"{base(listener)}/hooks/other/{SECRET}",
        f"{base(listener)}/",
    ]
    assert [post(url, MESSAGE).status_code for url in wrong] == [404, 404, 404, 404]
    assert httpx.get(good, timeout=10).status_code == 404
    huge = json.dumps({**MESSAGE, "pad": "x" * (4 * 1024 * 1024)}).encode()
    too_big = post(good, huge)
    assert (too_big.status_code, too_big.json()) == (413, {"error": "body over 4194304 bytes"})
    malformed = {
        b"not json": "body is not JSON",
        b"[1, 2]": "body must be a JSON object, got list",
        json.dumps({**MESSAGE, "topic": ""}).encode(): "'topic' must be a non-empty string",
        json.dumps({**MESSAGE, "account_id": "x"}).encode(): "'account_id' must be an integer",
        json.dumps({**MESSAGE, "data": [1]}).encode(): "'data' must be an object of records",
        json.dumps({**MESSAGE, "data": {"175": 3}}).encode(): "data['175'] must be an object",
        json.dumps({**MESSAGE, "ids": "175"}).encode(): "'ids' must be an array of ids",
    }
    for body, reason in malformed.items():
        answer = post(good, body)
        assert answer.status_code == 400, body
        assert answer.json()["error"].startswith(reason), (body, answer.json())
    assert spool_rows(config) == []
    assert SECRET not in caplog.text
    assert "/hooks/grandshooting/***" in caplog.text


def test_receiver_keeps_and_reports_an_unknown_topic(
    listener: Listener, config: Config, synced: Config
) -> None:
    good = f"{base(listener)}/hooks/grandshooting/{SECRET}"
    unknown = {"account_id": 1, "topic": "looks/update", "type": "look", "data": {"x": 1}}
    answer = post(good, unknown)
    assert (answer.status_code, answer.json()) == (200, {"stored": True, "topic": "looks/update"})
    assert listener.unknown_topics == {"looks/update"}
    report = drain_pending(config)
    assert report.messages == 1
    assert report.skipped == {"skipped: unknown topic looks/update": 1}
    assert report.summary() == "1 messages, 0 rows landed, 1 skipped (unknown topic looks/update)"
    assert [(r[1], r[4]) for r in spool_rows(config)] == [
        ("looks/update", "skipped: unknown topic looks/update")
    ]


def test_receiver_cli_without_secret_is_one_clear_line(config_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SHOTLIST_WEBHOOK_SECRET"}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--config", str(config_path), "listen", "--port", "0"],
        env=env,
        cwd=REPO,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {config_path}: webhooks.secret_env: environment variable "
        "SHOTLIST_WEBHOOK_SECRET is not set (it must hold the secret; secrets are never read "
        "from the file)"
    ]


def test_receiver_refuses_a_short_secret(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOTLIST_WEBHOOK_SECRET", "short-secret")
    with pytest.raises(ConfigError) as caught:
        Listener(config, "127.0.0.1", 0, drain=False)
    assert str(caught.value) == (
        "$SHOTLIST_WEBHOOK_SECRET: the webhook secret must be at least 16 characters "
        "(it is the only thing guarding the URL)"
    )
    assert spool_rows(config) == []
