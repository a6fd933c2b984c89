"""A plain Kitsu user (no manager rights): everything syncs but the event log, which is skipped."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from kitsu_seed import Seeded, ZouAdmin
from kitsu_zou import ZouServer

from etl.config import load_config
from etl.sync import sync_sources

PASSWORD = "artist-password-1"


@pytest.fixture(scope="module")
def artist(zou_admin: ZouAdmin, seeded: Seeded) -> str:
    """A `user`-role person on the open production's team, with a password."""
    person = zou_admin.post(
        "/data/persons",
        {"first_name": "Ada", "last_name": "Reader", "email": "ada@example.com", "role": "user"},
    )
    zou_admin.post(
        f"/actions/persons/{person['id']}/change-password",
        {"password": PASSWORD, "password_2": PASSWORD},
    )
    zou_admin.post(f"/data/projects/{seeded.project_id}/team", {"person_id": person["id"]})
    return "ada@example.com"


def test_kitsu_user_without_manager_rights_skips_deletion_events(
    zou: ZouServer,
    seeded: Seeded,
    artist: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KITSU_EMAIL", artist)
    monkeypatch.setenv("KITSU_PASSWORD", PASSWORD)
    monkeypatch.delenv("KITSU_TOKEN", raising=False)
    config_path = tmp_path / "shotlist.toml"
    config_path.write_text(
        f'[warehouse]\npath = "w.duckdb"\n[sources.kitsu]\nbase_url = "{zou.url}"\n'
        "rate_limit = 0\n",
        encoding="utf-8",
    )
    config = load_config(config_path)

    result = sync_sources(config, ["kitsu"])

    statuses = {r.resource: (r.status, r.error) for r in result.results}
    assert result.ok
    assert statuses["deletion_events"] == ("skipped", "not permitted for this account")
    assert {status for name, (status, _) in statuses.items() if name != "deletion_events"} == {"ok"}
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        projects = con.execute("select distinct project_id from raw.kitsu__tasks").fetchall()
    finally:
        con.close()
    # The user sees the production whose team it is on, not the closed one.
    assert projects == [(seeded.project_id,)]
