"""Fixtures of the lake tests: a fresh catalog database and an S3 server, skipped (failed in CI)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from tests.ci_required import fail_skip_in_ci, skip_or_fail
from tests.lake.services import Postgres, S3Server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI a skipped lake test is a failure: a green run must have used a real PostgreSQL."""
    outcome = yield
    fail_skip_in_ci(outcome.get_result(), "lake")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A database of its own on the machine's PostgreSQL for this session, dropped after."""
    server = Postgres.from_env()
    missing = server.missing()
    if missing:
        skip_or_fail("the lake tests need: " + "; ".join(missing))
    database = server.create_database()
    try:
        yield database
    finally:
        database.drop_database()


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server on a free loopback port, with an empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        store = S3Server(host, port, bucket="shotlist-lake")
        store.create_bucket()
        yield store
    finally:
        server.stop()


@pytest.fixture
def lake_name() -> str:
    """A name of its own per test: the catalog's schema in the database and the data prefix."""
    return f"lake_{uuid.uuid4().hex[:10]}"
