"""Starts and stops a real Zou (Kitsu's server) on loopback: fresh database, admin, gunicorn."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@example.com"
# Zou refuses passwords under 8 characters; this one only ever guards a throwaway database.
ADMIN_PASSWORD = "shotlist-test-admin"
START_DEADLINE = 90.0


@dataclass(frozen=True)
class Services:
    """Where the PostgreSQL and Redis that Zou needs are expected (libpq's variables apply)."""

    pg_host: str
    pg_port: int
    pg_user: str
    pg_password: str
    redis_host: str
    redis_port: int

    @classmethod
    def from_env(cls) -> Services:
        return cls(
            pg_host=os.environ.get("PGHOST", "127.0.0.1"),
            pg_port=int(os.environ.get("PGPORT", "5432")),
            pg_user=os.environ.get("PGUSER", "postgres"),
            pg_password=os.environ.get("PGPASSWORD", ""),
            redis_host=os.environ.get("KV_HOST", "127.0.0.1"),
            redis_port=int(os.environ.get("KV_PORT", "6379")),
        )


@dataclass
class ZouServer:
    url: str
    database: str
    process: subprocess.Popen[bytes]
    log: Path
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD


def zou_venv() -> Path:
    """Zou's own virtualenv: $ZOU_VENV, or .zou at the repo root (`make zou` builds it)."""
    configured = os.environ.get("ZOU_VENV")
    path = Path(configured) if configured else REPO / ".zou"
    return path if path.is_absolute() else REPO / path


def _answers_tcp(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _redis_pongs(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def missing_prerequisites(services: Services) -> list[str]:
    """What this machine lacks to run a real Zou, one phrase each (empty: all there)."""
    missing = []
    venv = zou_venv()
    if not (venv / "bin" / "zou").exists() or not (venv / "bin" / "gunicorn").exists():
        missing.append(f"Zou virtualenv at {venv} (build it with `make zou`)")
    if not _answers_tcp(services.pg_host, services.pg_port):
        missing.append(f"PostgreSQL on {services.pg_host}:{services.pg_port}")
    if not _redis_pongs(services.redis_host, services.redis_port):
        missing.append(f"Redis on {services.redis_host}:{services.redis_port}")
    return missing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _zou_env(services: Services, database: str, workdir: Path) -> dict[str, str]:
    previews = workdir / "previews"
    tmp = workdir / "tmp"
    previews.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DB_HOST=services.pg_host,
        DB_PORT=str(services.pg_port),
        DB_USERNAME=services.pg_user,
        DB_PASSWORD=services.pg_password,
        DB_DATABASE=database,
        # Zou refuses to serve with its public default key.
        SECRET_KEY=secrets.token_hex(32),
        PREVIEW_FOLDER=str(previews),
        TMP_DIR=str(tmp),
        # Offline: e-mail domains cannot be checked by DNS.
        MAIL_CHECK_DELIVERABILITY="False",
        # Zou's Redis memo cache (db 1, no key prefix) would serve another run's ids; the
        # in-process cache is private to this server (hence one worker).
        CACHE_TYPE="simple",
        # Zou 1.0.97 hard-codes its Redis db numbers and has no key prefix; what it keeps there
        # (revoked token ids, a few config:* values) is harmless to share between runs.
        KV_HOST=services.redis_host,
        KV_PORT=str(services.redis_port),
        # A small page size would hide paging bugs less well than the default; keep 100.
        NB_RECORDS_PER_PAGE="100",
    )
    # Zou's own workers must not inherit a coverage or pytest plugin setup from the parent.
    env.pop("PYTHONPATH", None)
    return env


def _psql(services: Services, sql: str, database: str = "postgres") -> None:
    """Run one statement on a database with the psycopg that Zou's venv ships."""
    code = (
        "import psycopg, sys\n"
        "with psycopg.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3],"
        " password=sys.argv[4] or None, dbname=sys.argv[6], autocommit=True) as c:\n"
        "    c.execute(sys.argv[5])\n"
    )
    subprocess.run(
        [
            str(zou_venv() / "bin" / "python"),
            "-c",
            code,
            services.pg_host,
            str(services.pg_port),
            services.pg_user,
            services.pg_password,
            sql,
            database,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def run_sql(services: Services, server: ZouServer, sql: str) -> None:
    """Change the test's own Zou database behind the API (e.g. to age rows: Zou sets
    `updated_at` itself and offers no way to backdate through the API)."""
    _psql(services, sql, server.database)


def _run_zou(args: list[str], env: dict[str, str], workdir: Path) -> None:
    result = subprocess.run(
        [str(zou_venv() / "bin" / "zou"), *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-2000:]
        raise RuntimeError(f"zou {' '.join(args[:1])} failed ({result.returncode}):\n{tail}")


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `GET /` until Zou answers, the process dies, or the deadline passes."""
    deadline = time.monotonic() + START_DEADLINE
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {process.returncode}:\n{log.read_text()[-2000:]}"
                )
            try:
                response = client.get(url + "/")
                if response.status_code == 200 and response.json().get("api") == "Zou":
                    return
            except (httpx.TransportError, ValueError):
                pass
            # Short poll interval: the loop ends on the first answer, not after a fixed wait.
            time.sleep(0.2)
    tail = log.read_text()[-2000:]
    raise RuntimeError(f"Zou did not answer within {START_DEADLINE:.0f}s:\n{tail}")


def start_zou(services: Services, workdir: Path) -> ZouServer:
    """A fresh database, Zou's schema and base data, an admin, and gunicorn on a free port."""
    database = f"shotlist_zou_{os.getpid()}_{secrets.token_hex(4)}"
    _psql(services, f'create database "{database}"')
    try:
        env = _zou_env(services, database, workdir)
        _run_zou(["init-db"], env, workdir)
        _run_zou(["init-data"], env, workdir)
        _run_zou(["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD], env, workdir)
        port = _free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(zou_venv() / "bin" / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "120",
                    "zou.app:app",
                ],
                env=env,
                cwd=workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        server = ZouServer(url=url, database=database, process=process, log=log)
        try:
            wait_until_up(url, process, log)
        except BaseException:
            stop_zou(services, server)
            raise
        return server
    except BaseException:
        with contextlib.suppress(Exception):
            _psql(services, f'drop database if exists "{database}" with (force)')
        raise


def stop_zou(services: Services, server: ZouServer) -> None:
    """Stop gunicorn (master and worker) and drop the database."""
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
    _psql(services, f'drop database if exists "{server.database}" with (force)')
