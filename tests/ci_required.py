"""In CI (CI=true) a skipped test of a real-server suite counts as a failure, not a pass."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def fail_skip_in_ci(report: pytest.TestReport, suite: str) -> None:
    """Turn a skipped report into a failure when running in CI; `suite` names the tests."""
    if in_ci() and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"{suite} test skipped in CI (CI=true), which counts as a failure: {reason}"
        )


def skip_or_fail(message: str) -> None:
    """Skip with the message; in CI fail instead (the suite must have run for real)."""
    if in_ci():
        pytest.fail(f"CI=true and the tests cannot run: {message}")
    pytest.skip(message)
