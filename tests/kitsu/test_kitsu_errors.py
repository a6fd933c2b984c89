"""Bad credentials and an unreachable server: one clear line each, nothing landed."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner
from kitsu_zou import ZouServer

from etl.cli import cli


def _config(folder: Path, url: str) -> Path:
    path = folder / "shotlist.toml"
    path.write_text(
        "[warehouse]\n"
        'path = "warehouse.duckdb"\n'
        "[sources.kitsu]\n"
        f'base_url = "{url}"\n'
        "rate_limit = 0\n"
        "max_attempts = 1\n",
        encoding="utf-8",
    )
    return path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sync(config: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["--config", str(config), "sync", "kitsu"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output.splitlines()


def test_kitsu_bad_password_is_one_line(zou: ZouServer, tmp_path: Path) -> None:
    code, lines = _sync(
        _config(tmp_path, zou.url),
        {"KITSU_EMAIL": zou.admin_email, "KITSU_PASSWORD": "not-the-password", "KITSU_TOKEN": ""},
    )
    assert code == 1
    causes = [line for line in lines if "refused the login" in line]
    assert causes == [
        f"kitsu.projects[kitsu]: failed, 0 rows, 0 pages - Kitsu at {zou.url} refused the "
        "login: Wrong email or password (check the email and password environment variables)"
    ]
    assert lines[1] == (
        "kitsu.entity_types[kitsu]: failed, 0 rows, 0 pages - "
        "not attempted: kitsu.projects failed first"
    )
    assert "not-the-password" not in "\n".join(lines)
    assert not any("Traceback" in line for line in lines)


def test_kitsu_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code, lines = _sync(
        _config(tmp_path, url),
        {"KITSU_EMAIL": "a@example.com", "KITSU_PASSWORD": "whatever-long", "KITSU_TOKEN": ""},
    )
    assert code == 1
    causes = [line for line in lines if "cannot reach Kitsu" in line]
    assert len(causes) == 1
    assert causes[0].startswith(
        f"kitsu.projects[kitsu]: failed, 0 rows, 0 pages - cannot reach Kitsu at {url} ("
    )
    assert "check sources.kitsu.base_url" in causes[0]


def test_kitsu_missing_password_variable_is_one_line(tmp_path: Path) -> None:
    code, lines = _sync(
        _config(tmp_path, "http://127.0.0.1:9"),
        {"KITSU_EMAIL": "a@example.com", "KITSU_PASSWORD": "", "KITSU_TOKEN": ""},
    )
    assert code == 1
    assert lines[-1].startswith("Error: ")
    assert "sources.kitsu.password_env: environment variable KITSU_PASSWORD is not set" in lines[-1]
