"""`shotlist sync` as a process: clear errors, no leaked token, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from tests.sync.helpers import TOKEN, assert_exact


def write_config(tmp_path: Path, base_url: str, **extra: object) -> Path:
    lines = [
        "[warehouse]",
        'path = "warehouse.duckdb"',
        f"batch_rows = {extra.pop('batch_rows', 5000)}",
        "[sources.grandshooting]",
        f'base_url = "{base_url}"',
        'token_env = "GS_TEST_TOKEN"',
        f"rate_limit = {extra.pop('rate_limit', 0)}",
        "max_attempts = 3",
        "timeout = 5",
    ]
    path = tmp_path / "shotlist.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


REPO = Path(__file__).resolve().parents[2]


def environment(**extra: str) -> dict[str, str]:
    """The test's environment, with the repository importable whatever the working folder."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def shotlist(
    config: Path, *args: str, token: str = TOKEN, wait: bool = True
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    env = environment(GS_TEST_TOKEN=token)
    command = [sys.executable, "-m", "etl", "--config", str(config), *args]
    if not wait:
        return subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    return subprocess.run(command, env=env, cwd=REPO, text=True, capture_output=True, timeout=300)


def test_cli_sync_bad_token_is_one_clear_line(tmp_path: Path) -> None:
    catalog = generate_catalog(CatalogSpec(references=5, seed=1))
    with GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0).serve(
        host="127.0.0.1", port=0
    ) as server:
        config = write_config(tmp_path, server.base_url)
        done = shotlist(config, "sync", token="not-the-token-42")
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 1
    assert f"token rejected by {server.base_url}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "not-the-token-42" not in done.stderr + done.stdout
    # The cause once, then at most one summary line.
    assert done.stderr.splitlines() == [
        f"Error: token rejected by {server.base_url} (401): check $GS_TEST_TOKEN"
    ]
    summary = done.stdout.splitlines()
    assert len(summary) == 1 and summary[0].startswith("run ")
    assert ": 0 rows in " in summary[0] and ", 1 requests, " in summary[0]
    # The run log keeps the detail: the resource that met the 401, with its error.
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    logged = con.execute("select resource, status, error from meta.sync_runs").fetchall()
    con.close()
    assert logged == [
        (
            "shooting_methods",
            "failed",
            f"token rejected by {server.base_url} (401): check $GS_TEST_TOKEN",
        )
    ]


def test_cli_sync_closed_port_is_one_line_and_no_retry(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v3"
    config = write_config(tmp_path, base_url)
    done = shotlist(config, "sync")
    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"Error: cannot reach {base_url}: connection refused"]
    summary = done.stdout.splitlines()
    assert len(summary) == 1
    # One request, no retry: the source stopped at the first refusal.
    assert ", 1 requests, 0 throttled (429), 0 retries" in summary[0]


def test_cli_sync_missing_token_names_the_variable(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/v3")
    env = {k: v for k, v in environment().items() if k != "GS_TEST_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "etl", "--config", str(config), "sync"],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {config}: sources.grandshooting.token_env: environment variable "
        "GS_TEST_TOKEN is not set (it must hold the secret; secrets are never read from the file)"
    ]


def test_cli_sync_never_leaks_the_token(tmp_path: Path) -> None:
    catalog = generate_catalog(CatalogSpec(references=15, seed=2))
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    sim.faults.error_rate = 0.2
    with sim.serve(host="127.0.0.1", port=0) as server:
        config = write_config(tmp_path, server.base_url)
        done = shotlist(config, "-vv", "sync")
    assert isinstance(done, subprocess.CompletedProcess)
    output = done.stdout + done.stderr
    assert "DEBUG" in output  # the verbose log really was on
    assert TOKEN not in output
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    texts = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type in ('VARCHAR', 'JSON')"
    ).fetchall()
    for schema, table, column in texts:
        hits = con.execute(
            f'select count(*) from "{schema}"."{table}" where "{column}"::varchar like ?',
            [f"%{TOKEN}%"],
        ).fetchone()
        assert hits == (0,), f"{schema}.{table}.{column}"
    con.close()
    assert TOKEN.encode() not in (tmp_path / "warehouse.duckdb").read_bytes()


def test_cli_sync_killed_midway_resumes_exact(tmp_path: Path) -> None:
    # Big enough that pictures exceed the 10,000 offset ceiling and page by key ranges.
    catalog = generate_catalog(CatalogSpec(references=2000, seed=11))
    assert len(catalog.records("pictures")) > 10_000
    sim = GrandShootingSimulator(catalog, token=TOKEN, rate_limit=0)
    sim.faults.latency = 0.005
    with sim.serve(host="127.0.0.1", port=0) as server:
        config = write_config(tmp_path, server.base_url, batch_rows=300)
        process = shotlist(config, "sync", "grandshooting", wait=False)
        assert isinstance(process, subprocess.Popen)
        deadline = time.monotonic() + 120
        # Kill once a good share of the key-range pages have been served.
        while time.monotonic() < deadline and process.poll() is None:
            keyed = [
                r
                for r in list(sim.requests)
                if r.path.endswith("/picture") and any(v.startswith("gt") for _, v in r.query)
            ]
            if len(keyed) >= 40:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the sync finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

        con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
        stored = con.execute(
            "select pass from meta.sync_state where resource = 'pictures'"
        ).fetchone()
        partial = con.execute("select count(*) from raw.grandshooting__pictures").fetchone()
        con.close()
        assert stored is not None and stored[0] is not None
        checkpoint = json.loads(stored[0])
        assert checkpoint["strategy"] == "key_ranges"
        assert any(span.get("next") for span in checkpoint["ranges"])
        assert partial is not None and 0 < partial[0] < len(catalog.records("pictures"))

        done = shotlist(config, "sync", "grandshooting")
        assert isinstance(done, subprocess.CompletedProcess)
        assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert_exact(con, catalog)
    runs = dict(
        con.execute(
            "select status, run_id from meta.sync_runs where resource = 'pictures'"
        ).fetchall()
    )
    assert set(runs) == {"interrupted", "ok"}
    resumed = con.execute(
        "select count(*) from raw.grandshooting__pictures where _run_id = ?", [runs["ok"]]
    ).fetchone()
    con.close()
    # The resumed pass picked up exactly where the last committed batch left off: it landed
    # every picture the killed run had not committed, and none of those it had.
    total = len(catalog.records("pictures"))
    assert resumed == (total - partial[0],)


@pytest.mark.parametrize("command", ["sync", "runs", "demo", "simulate"])
def test_cli_commands_have_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etl", command, "--help"],
        env=environment(),
        cwd=REPO,
        text=True,
        capture_output=True,
    )
    assert done.returncode == 0
    assert "Example" in done.stdout or "Usage" in done.stdout


def test_cli_runs_lists_the_last_run(simulator, tmp_path: Path) -> None:
    config = write_config(tmp_path, simulator.base_url)
    assert shotlist(config, "sync", "grandshooting").returncode == 0  # type: ignore[union-attr]
    done = shotlist(config, "runs", "--limit", "1")
    assert isinstance(done, subprocess.CompletedProcess)
    header, *lines = done.stdout.strip().splitlines()
    assert header.split() == ["run", "started", "resource", "mode", "status", "rows", "pages",
                              "took", "error"]  # fmt: skip
    assert len(lines) == 8  # one line per resource of the single run shown
    pictures = [line for line in lines if "grandshooting.pictures " in line][0]
    run_id, day, time, resource, mode, status, rows, pages, took = pictures.split()
    assert (resource, mode, status) == ("grandshooting.pictures", "full", "ok")
    assert int(rows) == len(simulator.catalog.records("pictures"))
    # Columns line up: every value of a column starts (text) or ends (numbers) where its name does.
    assert pictures.index(resource) == header.index("resource")
    assert pictures.index(f" {rows} ") + len(rows) + 1 == header.index("rows") + len("rows")
