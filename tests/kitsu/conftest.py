"""Fixtures of the Kitsu tests: a real Zou server for the session, skipped (or failed in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kitsu_seed import Seeded, ZouAdmin, seed
from kitsu_zou import Services, ZouServer, missing_prerequisites, start_zou, stop_zou


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI a skipped Kitsu test is a failure: a green run must have talked to a real Zou."""
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Kitsu test skipped in CI (CI=true), which counts as a failure: {reason}"


@pytest.fixture(scope="session")
def zou_services() -> Services:
    return Services.from_env()


@pytest.fixture(scope="session")
def zou(zou_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZouServer]:
    """A real Zou on a free loopback port, with its own fresh database and an admin account."""
    missing = missing_prerequisites(zou_services)
    if missing:
        message = "real Zou needs: " + "; ".join(missing)
        if _in_ci():
            pytest.fail(f"CI=true and Kitsu tests cannot run: {message}")
        pytest.skip(message)
    workdir: Path = tmp_path_factory.mktemp("zou")
    server = start_zou(zou_services, workdir)
    try:
        yield server
    finally:
        stop_zou(zou_services, server)


@pytest.fixture(scope="session")
def zou_admin(zou: ZouServer) -> Iterator[ZouAdmin]:
    admin = ZouAdmin(zou.url, zou.admin_email, zou.admin_password)
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture(scope="session")
def seeded(zou_admin: ZouAdmin) -> Seeded:
    """The production described in kitsu_seed, created once per session."""
    return seed(zou_admin)
