"""`shotlist run`: sync, build, report and send in order, under the warehouse lock, for cron.

A failed step stops the later ones, and the exit code says which step failed:

    0  every step succeeded
    3  another shotlist process holds the warehouse lock (nothing was done)
    4  sync failed
    5  build failed (a model failed or an error-level data test failed)
    6  report failed
    7  send failed
(1 is a configuration or other error reported before the run started, 2 a usage error.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Protocol

from etl.config import Config
from etl.errors import ShotlistError, WarehouseLockedError
from etl.models import build as build_models
from etl.redact import redact
from etl.report import send_report, write_report
from etl.sync import sync_sources
from etl.webhooks.drain import DRAINER, WAIT_FOR_DRAINER, drain_before_sync
from etl.workspace import locked

log = logging.getLogger(__name__)


class ExitCode(IntEnum):
    OK = 0
    LOCKED = 3
    SYNC_FAILED = 4
    BUILD_FAILED = 5
    REPORT_FAILED = 6
    SEND_FAILED = 7


class StepResult(Protocol):
    @property
    def ok(self) -> bool: ...


SyncStep = Callable[[Config], StepResult]
BuildStep = Callable[[Config], StepResult]
# Renders one profile (None: the whole scope) and returns the files written.
ReportStep = Callable[[Config, str | None], Sequence[Path]]
# Sends one profile's report to its configured recipients.
SendStep = Callable[[Config, str | None], Any]


@dataclass
class StepOutcome:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class PipelineResult:
    exit_code: ExitCode = ExitCode.OK
    steps: list[StepOutcome] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    @property
    def failed_step(self) -> str | None:
        return next((s.name for s in self.steps if not s.ok), None)


def default_sync(config: Config) -> StepResult:
    # Spooled webhook events first (a failure there is a warning), then the safety net.
    drain_before_sync(config)
    result: StepResult = sync_sources(config)
    return result


def default_build(config: Config) -> StepResult:
    result: StepResult = build_models(config)
    return result


def default_report(config: Config, profile: str | None) -> Sequence[Path]:
    return write_report(config, profile=profile)


def default_send(config: Config, profile: str | None) -> Any:
    return send_report(config, profile=profile)


def run_profiles(config: Config) -> list[str | None]:
    """The profiles `shotlist run` renders: the configured list, or the whole scope."""
    return list(config.report.run_profiles) or [None]


def should_send(config: Config, profile: str | None) -> bool:
    """Send only when SMTP is configured and the profile names recipients."""
    if config.smtp is None or profile is None:
        return False
    settings = config.report.profiles.get(profile)
    return bool(settings and settings.recipients)


def run_pipeline(
    config: Config,
    *,
    sync: SyncStep = default_sync,
    build: BuildStep = default_build,
    report: ReportStep = default_report,
    send: SendStep = default_send,
) -> PipelineResult:
    """Run every step in order under the warehouse lock; stop at the first failure.

    The lock is taken here, once: the steps are library calls that assume it is held
    (`listen`'s drainer, which holds it briefly, is waited for up to `WAIT_FOR_DRAINER` s).
    """
    result = PipelineResult()
    try:
        with locked(config, "run", wait=WAIT_FOR_DRAINER, wait_for=(DRAINER,)):
            _run_steps(config, result, sync, build, report, send)
    except WarehouseLockedError as exc:
        result.steps.append(StepOutcome("lock", False, 0.0, str(exc)))
        result.exit_code = ExitCode.LOCKED
    return result


def _run_steps(
    config: Config,
    result: PipelineResult,
    sync: SyncStep,
    build: BuildStep,
    report: ReportStep,
    send: SendStep,
) -> None:
    profiles = run_profiles(config)
    if not _step(result, "sync", ExitCode.SYNC_FAILED, lambda: _checked(sync(config))):
        return
    if not _step(result, "build", ExitCode.BUILD_FAILED, lambda: _checked(build(config))):
        return
    for profile in profiles:
        name = f"report {profile}" if profile else "report"

        def render(profile: str | None = profile) -> str:
            files = list(report(config, profile))
            result.files.extend(files)
            return ", ".join(str(f) for f in files)

        if not _step(result, name, ExitCode.REPORT_FAILED, render):
            return
    for profile in profiles:
        if not should_send(config, profile):
            continue

        def deliver(profile: str | None = profile) -> str:
            sent = send(config, profile)
            return str(sent) if sent is not None else ""

        if not _step(result, f"send {profile}", ExitCode.SEND_FAILED, deliver):
            return


def _checked(outcome: StepResult) -> str:
    if not getattr(outcome, "ok", False):
        detail = getattr(outcome, "error", None) or getattr(outcome, "message", None)
        raise _StepFailed(str(detail) if detail else "see the run tables for details")
    summary = getattr(outcome, "summary", None)
    return str(summary() if callable(summary) else summary or "")


class _StepFailed(Exception):
    pass


def _step(result: PipelineResult, name: str, code: ExitCode, action: Callable[[], str]) -> bool:
    started = time.monotonic()
    try:
        detail = action()
    except (_StepFailed, ShotlistError) as exc:
        outcome = StepOutcome(name, False, time.monotonic() - started, redact(str(exc)))
    except Exception as exc:  # cron needs the failed step's exit code, not a traceback
        log.debug("step %s crashed", name, exc_info=True)
        message = redact(f"{type(exc).__name__}: {exc}")
        outcome = StepOutcome(name, False, time.monotonic() - started, message)
    else:
        outcome = StepOutcome(name, True, time.monotonic() - started, detail)
    result.steps.append(outcome)
    if not outcome.ok:
        result.exit_code = code
    return outcome.ok


__all__ = ["ExitCode", "PipelineResult", "StepOutcome", "run_pipeline"]
