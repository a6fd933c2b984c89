"""`shotlist listen` as a library: the receiver, its spool writer and the drainer as one unit."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

from etl.config import Config, secret_from_env
from etl.errors import ConfigError, ShotlistError
from etl.webhooks.drain import Drainer, DrainReport, paths
from etl.webhooks.server import Receiver, RunningReceiver
from etl.webhooks.spool import CRASH_ENV, CRASH_POINTS, SpoolWriter

MIN_SECRET = 16


class ListenError(ShotlistError):
    """The receiver could not start (port taken, secret too short...)."""


class Listener:
    """Everything `listen` runs; `close()` stops taking messages, then drains one last time."""

    def __init__(self, config: Config, host: str, port: int, *, drain: bool = True) -> None:
        settings = config.webhooks
        secret = secret_from_env(settings.secret_env, config=config, key="webhooks.secret_env")
        if len(secret) < MIN_SECRET:
            raise ConfigError(
                f"${settings.secret_env}: the webhook secret must be at least {MIN_SECRET} "
                "characters (it is the only thing guarding the URL)"
            )
        crash = os.environ.get(CRASH_ENV) or None
        if crash is not None and crash not in CRASH_POINTS:
            raise ConfigError(f"${CRASH_ENV}: expected one of {', '.join(CRASH_POINTS)}")
        self.warehouse, self.spool_path = paths(config)
        self.writer = SpoolWriter(self.spool_path, crash=crash)
        try:
            receiver = Receiver(secret, self.writer, settings.max_body_bytes)
            self.server = RunningReceiver(receiver, host, port)
        except OSError as exc:
            self.writer.close()
            raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.drainer = Drainer(config) if drain else None
        if self.drainer is not None:
            self.drainer.start()

    @property
    def unknown_topics(self) -> set[str]:
        return self.server.receiver.unknown_topics

    def close(self) -> DrainReport | None:
        self.server.close()
        self.writer.close()
        if self.drainer is None:
            return None
        return self.drainer.close()


def listen_until_stopped(
    config: Config,
    host: str,
    port: int,
    *,
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> DrainReport | None:
    """Serve until Ctrl-C, SIGTERM (systemd's stop) or `stop`; returns what was drained."""
    stopping = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    listener = Listener(config, host, port)
    echo(f"listening on {listener.server.url}")
    echo(f"spool: {listener.spool_path}; warehouse: {listener.warehouse}")
    try:
        # Short waits: a Ctrl-C is only acted on when the main thread wakes up.
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    report = listener.close()
    if listener.unknown_topics:
        echo(f"unknown topics kept in the spool: {', '.join(sorted(listener.unknown_topics))}")
    echo(f"stopped; drained {report.summary() if report else 'nothing'}")
    return report
