"""Seeds a real Zou through its own API with a small production whose marts are hand-computed.

The seeded production ("Spring Campaign", max_retakes 2):

          SQ01  SH010  Layout done, Animation done, Lighting done          (Ann)
                SH020  Layout done, Animation wfa, Lighting todo, overdue  (Ann+Bob, Animation)
                SH030  Layout retake x3 (> max_retakes), Animation wip     (Bob on Layout)
    E01 / SQ02  SH040  canceled, Layout todo (open task on a canceled shot)
                SH050  no task at all
    asset Hero (Character): Modeling done

plus a closed project "Old Spot" (one sequence, one shot, one task) that a default sync skips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PAST_DUE = "2020-01-15T00:00:00"
FUTURE_DUE = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%dT00:00:00")


class ZouAdmin:
    """Just enough of Zou's API to seed it: the tests write to their own Zou, the toolkit never."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30.0)
        response = self.http.post("/auth/login", json={"email": email, "password": password})
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        if response.status_code >= 400:
            raise AssertionError(f"POST {path} -> {response.status_code}: {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.put(path, json=body)
        if response.status_code >= 400:
            raise AssertionError(f"PUT {path} -> {response.status_code}: {response.text}")
        result: dict[str, Any] = response.json()
        return result

    def delete(self, path: str, **params: str) -> None:
        response = self.http.delete(path, params=params)
        if response.status_code >= 400:
            raise AssertionError(f"DELETE {path} -> {response.status_code}: {response.text}")

    def by_name(self, path: str, key: str = "name") -> dict[str, str]:
        return {row[key]: row["id"] for row in self.get(path)}


@dataclass
class Seeded:
    """Ids of what was seeded, by the names used in the docstring above."""

    project_id: str
    closed_project_id: str
    episode_id: str = ""
    sequences: dict[str, str] = field(default_factory=dict)
    shots: dict[str, str] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    tasks: dict[tuple[str, str], str] = field(default_factory=dict)
    persons: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    task_types: dict[str, str] = field(default_factory=dict)


def _task(
    zou: ZouAdmin,
    seeded: Seeded,
    project_id: str,
    entity: str,
    entity_id: str,
    task_type: str,
    status: str,
    *,
    due: str | None = None,
    retakes: int = 0,
    assignees: tuple[str, ...] = (),
) -> None:
    body: dict[str, Any] = {
        "name": "main",
        "project_id": project_id,
        "entity_id": entity_id,
        "task_type_id": seeded.task_types[task_type],
        "task_status_id": seeded.statuses[status],
        "retake_count": retakes,
    }
    if due:
        body["due_date"] = due
    task = zou.post("/data/tasks", body)
    if assignees:
        zou.put(f"/data/tasks/{task['id']}", {"assignees": [seeded.persons[a] for a in assignees]})
    seeded.tasks[(entity, task_type)] = task["id"]


def seed(zou: ZouAdmin) -> Seeded:
    """Create the production described in the module docstring; return its ids."""
    project_status = zou.by_name("/data/project-status")
    entity_types = zou.by_name("/data/entity-types")
    project = zou.post(
        "/data/projects",
        {
            "name": "Spring Campaign",
            "code": "SPR",
            "production_type": "short",
            "project_status_id": project_status["Open"],
            "max_retakes": 2,
            "fps": "25",
        },
    )
    closed = zou.post(
        "/data/projects",
        {
            "name": "Old Spot",
            "production_type": "short",
            "project_status_id": project_status["Closed"],
            "max_retakes": 0,
        },
    )
    seeded = Seeded(project_id=project["id"], closed_project_id=closed["id"])
    seeded.statuses = zou.by_name("/data/task-status", key="short_name")
    seeded.task_types = zou.by_name("/data/task-types")
    for first, last in (("Ann", "Artist"), ("Bob", "Builder")):
        person = zou.post(
            "/data/persons",
            {
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}@studio.example.com",
                "phone": "+33 1 23 45 67 89",
            },
        )
        seeded.persons[first] = person["id"]

    pid = project["id"]
    episode = zou.post(
        "/data/entities",
        {"name": "E01", "project_id": pid, "entity_type_id": entity_types["Episode"]},
    )
    seeded.episode_id = episode["id"]
    for name, parent in (("SQ01", None), ("SQ02", episode["id"])):
        seq = zou.post(
            "/data/entities",
            {
                "name": name,
                "project_id": pid,
                "entity_type_id": entity_types["Sequence"],
                "parent_id": parent,
            },
        )
        seeded.sequences[name] = seq["id"]
    frames = 1001
    for name, sequence, canceled in (
        ("SH010", "SQ01", False),
        ("SH020", "SQ01", False),
        ("SH030", "SQ01", False),
        ("SH040", "SQ02", True),
        ("SH050", "SQ02", False),
    ):
        shot = zou.post(
            "/data/entities",
            {
                "name": name,
                "project_id": pid,
                "entity_type_id": entity_types["Shot"],
                "parent_id": seeded.sequences[sequence],
                "nb_frames": 48,
                "canceled": canceled,
                "data": {
                    "frame_in": frames,
                    "frame_out": frames + 47,
                    "fps": 25,
                    "camera": f"cam_{name.lower()}",
                },
            },
        )
        seeded.shots[name] = shot["id"]
        frames += 48
    hero = zou.post(
        "/data/entities",
        {"name": "Hero", "project_id": pid, "entity_type_id": entity_types["Character"]},
    )
    seeded.assets["Hero"] = hero["id"]

    shots = seeded.shots
    _task(zou, seeded, pid, "SH010", shots["SH010"], "Layout", "done", assignees=("Ann",))
    _task(zou, seeded, pid, "SH010", shots["SH010"], "Animation", "done")
    _task(zou, seeded, pid, "SH010", shots["SH010"], "Lighting", "done")
    _task(zou, seeded, pid, "SH020", shots["SH020"], "Layout", "done")
    _task(zou, seeded, pid, "SH020", shots["SH020"], "Animation", "wfa", assignees=("Ann", "Bob"))
    _task(zou, seeded, pid, "SH020", shots["SH020"], "Lighting", "todo", due=PAST_DUE)
    _task(
        zou,
        seeded,
        pid,
        "SH030",
        shots["SH030"],
        "Layout",
        "retake",
        retakes=3,
        assignees=("Bob",),
    )
    _task(zou, seeded, pid, "SH030", shots["SH030"], "Animation", "wip", due=FUTURE_DUE)
    _task(zou, seeded, pid, "SH040", shots["SH040"], "Layout", "todo")
    _task(zou, seeded, pid, "Hero", hero["id"], "Modeling", "done")

    old_seq = zou.post(
        "/data/entities",
        {"name": "OLD01", "project_id": closed["id"], "entity_type_id": entity_types["Sequence"]},
    )
    old_shot = zou.post(
        "/data/entities",
        {
            "name": "OLD010",
            "project_id": closed["id"],
            "entity_type_id": entity_types["Shot"],
            "parent_id": old_seq["id"],
        },
    )
    _task(zou, seeded, closed["id"], "OLD010", old_shot["id"], "Layout", "todo", due=PAST_DUE)
    return seeded
