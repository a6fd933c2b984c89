"""Helpers for webhook tests: a config, `shotlist listen` as a process, waits on conditions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from etl.config import Config, load_config
from etl.simulators.grandshooting import Catalog
from etl.simulators.grandshooting.webhooks import DeliveryPolicy, WebhookSender
from tests.sync.helpers import landed, served

SECRET = "wh-secret-0123456789abcdef"
GS_TOKEN_ENV = "GS_WEBHOOK_TEST_TOKEN"
REPO = Path(__file__).resolve().parents[2]
# The vendor's timings shortened: a tick every 50 ms, retries after 0.2 s and 0.5 s.
FAST = DeliveryPolicy(interval=0.05, retry_delays=(0.2, 0.5), timeout=5)


def write_config(tmp_path: Path, base_url: str, **webhooks: Any) -> Path:
    settings = {"drain_every": 0.1, **webhooks}
    lines = [
        "[warehouse]",
        'path = "warehouse.duckdb"',
        "[sources.grandshooting]",
        f'base_url = "{base_url}"',
        f'token_env = "{GS_TOKEN_ENV}"',
        "rate_limit = 0",
        "[webhooks]",
        *(f"{k} = {v!r}" for k, v in settings.items()),
    ]
    path = tmp_path / "shotlist.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def config_of(path: Path) -> Config:
    return load_config(path)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Poll a condition (not a fixed sleep): return as soon as it holds, fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


class ListenProcess:
    """`shotlist listen` in a child process, started and stopped by the test."""

    def __init__(self, config: Path, port: int = 0, **env: str) -> None:
        # Logs go to a file: a pipe nobody reads would fill up and block the receiver.
        self.log_path = config.with_name(f"listen-{time.monotonic_ns()}.log")
        self._log = self.log_path.open("w", encoding="utf-8")
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
            "PYTHONUNBUFFERED": "1",
            "SHOTLIST_WEBHOOK_SECRET": SECRET,
            **env,
        }
        command = [sys.executable, "-m", "etl", "--config", str(config), "-v"]
        self.proc = subprocess.Popen(
            [*command, "listen", "--port", str(port)],
            env=environment,
            cwd=REPO,
            text=True,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,  # its own process group, as under a terminal or systemd
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()  # blocks until the server is bound, or exits
        if "listening on" not in first:
            self.proc.communicate(timeout=30)
            raise AssertionError(f"listen did not start: {first!r} {self.log()}")
        self.port = int(first.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        self.url = f"http://127.0.0.1:{self.port}/hooks/grandshooting/{SECRET}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8")

    def stop(self) -> tuple[int, str, str]:
        """SIGTERM (as systemd stops it): it drains once more and exits; (code, stdout, log)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        self._log.close()
        return self.proc.returncode, out, self.log_path.read_text(encoding="utf-8")

    def interrupt_group(self) -> None:
        """Ctrl-C in a terminal: SIGINT to every process of the group, drainer included."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def stop_cleanly(self) -> str:
        """Stop and check it exited 0 (SIGTERM is a normal stop); returns its log."""
        code, _, log = self.stop()
        assert code == 0, log
        return log

    def wait_dead(self) -> int:
        code = self.proc.wait(timeout=30)
        self._log.close()
        return code


def spool_rows(config: Config, where: str = "1 = 1") -> list[tuple[Any, ...]]:
    path = config.resolve(config.warehouse.path).with_name("webhooks.sqlite")
    if not path.exists():
        return []
    con = sqlite3.connect(path)
    try:
        return con.execute(
            f"select id, topic, account_id, applied_at, outcome from messages where {where}"
        ).fetchall()
    finally:
        con.close()


def pending_count(config: Config) -> int:
    return len(spool_rows(config, "applied_at is null"))


def sender_idle(sender: WebhookSender) -> bool:
    """Nothing queued and the last try of every message sent so far succeeded."""
    if sender.pending():
        return False
    last: dict[tuple[int, str, tuple[int, ...]], bool] = {}
    for d in sender.deliveries:
        last[(d.account_id, d.topic, d.ids)] = d.ok
    return all(last.values())


def warehouse(config: Config) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(config.resolve(config.warehouse.path)), read_only=True)


def assert_same(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Live rows of pictures and references are exactly what the simulator serves."""
    for resource in ("pictures", "references"):
        got, want = landed(con, resource), served(catalog, resource)
        assert sorted(got) == sorted(want), resource
        assert got == want, resource
