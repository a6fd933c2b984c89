"""The real Zou the Kitsu tests run against: it starts, answers, and holds the seeded data."""

from __future__ import annotations

import httpx
from kitsu_seed import Seeded, ZouAdmin
from kitsu_zou import ZouServer


def test_zou_answers_its_index(zou: ZouServer) -> None:
    body = httpx.get(zou.url + "/", timeout=10).json()
    assert body["api"] == "Zou"
    assert body["version"] == "1.0.97"


def test_zou_seed_pages_tasks_newest_first(zou_admin: ZouAdmin, seeded: Seeded) -> None:
    # Other Kitsu tests change and delete seeded rows: only what they leave alone is checked.
    page = zou_admin.get("/data/tasks", page=1, limit=2, relations="true")
    assert page["nb_pages"] == -(-page["total"] // 2)
    assert page["total"] >= 4
    assert len(page["data"]) == 2
    stamps = [row["updated_at"] for row in page["data"]]
    assert stamps == sorted(stamps, reverse=True)
    animation = zou_admin.get(f"/data/tasks/{seeded.tasks[('SH020', 'Animation')]}")
    assert sorted(animation["assignees"]) == sorted(seeded.persons.values())
