"""Kitsu sync against a real Zou: seed, full sync, changes and a deletion, incremental sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from kitsu_seed import FUTURE_DUE, Seeded, ZouAdmin
from kitsu_zou import Services, ZouServer, run_sql
from openpyxl import load_workbook

from etl.config import Config, load_config
from etl.engine.runtime import SyncResult
from etl.models.build import build
from etl.report import write_report
from etl.sync import sync_sources


def _write_config(folder: Path, url: str, **extra: Any) -> Path:
    lines = [
        "[warehouse]",
        'path = "warehouse.duckdb"',
        'analytics_path = "analytics.duckdb"',
        "[sources.kitsu]",
        f'base_url = "{url}"',
        # Small pages: the seeded production spans several of them.
        "page_size = 3",
        "rate_limit = 0",
        "max_attempts = 2",
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    path = folder / "shotlist.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kitsu_env(zou: ZouServer) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KITSU_EMAIL", zou.admin_email)
        patch.setenv("KITSU_PASSWORD", zou.admin_password)
        patch.delenv("KITSU_TOKEN", raising=False)
        yield


@pytest.fixture(scope="module")
def config(zou: ZouServer, kitsu_env: None, tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(_write_config(tmp_path_factory.mktemp("kitsu_sync"), zou.url))


def _query(config: Config, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(config.resolve(config.warehouse.path)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _by_resource(result: SyncResult) -> dict[str, Any]:
    return {r.resource: r for r in result.results}


@pytest.fixture(scope="module")
def first_sync(config: Config, seeded: Seeded) -> SyncResult:
    return sync_sources(config, ["kitsu"])


def test_kitsu_full_sync_lands_every_resource(first_sync: SyncResult) -> None:
    results = _by_resource(first_sync)
    assert first_sync.ok, [(r.resource, r.status, r.error) for r in first_sync.results]
    assert {name: r.mode for name, r in results.items()} == {
        "projects": "full",
        "entity_types": "full",
        "task_types": "full",
        "task_statuses": "full",
        "persons": "full",
        "entities": "full",
        "tasks": "full",
        "deletion_events": "full",
    }
    # 1 episode, 2 sequences, 5 shots, 1 asset (open project) + 1 sequence, 1 shot (closed).
    assert results["entities"].rows == 11
    assert results["entities"].pages == 4
    assert results["tasks"].rows == 11
    assert results["deletion_events"].rows == 0


def test_kitsu_projects_are_the_open_ones(first_sync: SyncResult, config: Config) -> None:
    rows = _query(config, "select instance, name, max_retakes from raw.kitsu__projects")
    assert rows == [("kitsu", "Spring Campaign", 2)]


def test_kitsu_entities_keep_type_and_frame_data(
    first_sync: SyncResult, config: Config, seeded: Seeded
) -> None:
    rows = _query(
        config,
        "select name, type, canceled, parent_id, data->>'frame_in', data->>'frame_out', "
        "data->>'fps', data->>'camera' from raw.kitsu__entities "
        f"where project_id = '{seeded.project_id}' order by name",
    )
    sq01, sq02 = seeded.sequences["SQ01"], seeded.sequences["SQ02"]
    assert rows == [
        ("E01", "Episode", False, None, None, None, None, None),
        ("Hero", "Asset", False, None, None, None, None, None),
        ("SH010", "Shot", False, sq01, "1001", "1048", "25", "cam_sh010"),
        ("SH020", "Shot", False, sq01, "1049", "1096", "25", "cam_sh020"),
        ("SH030", "Shot", False, sq01, "1097", "1144", "25", "cam_sh030"),
        ("SH040", "Shot", True, sq02, "1145", "1192", "25", "cam_sh040"),
        ("SH050", "Shot", False, sq02, "1193", "1240", "25", "cam_sh050"),
        ("SQ01", "Sequence", False, None, None, None, None, None),
        ("SQ02", "Sequence", False, seeded.episode_id, None, None, None, None),
    ]


def test_kitsu_tasks_carry_status_retakes_due_and_assignees(
    first_sync: SyncResult, config: Config, seeded: Seeded
) -> None:
    rows = _query(
        config,
        "select e.name, tt.name, ts.short_name, t.retake_count, cast(t.due_date as date), "
        "len(cast(t.assignees as varchar[])) "
        "from raw.kitsu__tasks t "
        "join raw.kitsu__entities e on e.id = t.entity_id "
        "join raw.kitsu__task_types tt on tt.id = t.task_type_id "
        "join raw.kitsu__task_statuses ts on ts.id = t.task_status_id "
        f"where t.project_id = '{seeded.project_id}' order by 1, 2",
    )
    assert [(r[0], r[1], r[2], r[3], str(r[4]) if r[4] else None, r[5]) for r in rows] == [
        ("Hero", "Modeling", "done", 0, None, 0),
        ("SH010", "Animation", "done", 0, None, 0),
        ("SH010", "Layout", "done", 0, None, 1),
        ("SH010", "Lighting", "done", 0, None, 0),
        ("SH020", "Animation", "wfa", 0, None, 2),
        ("SH020", "Layout", "done", 0, None, 0),
        ("SH020", "Lighting", "todo", 0, "2020-01-15", 0),
        ("SH030", "Animation", "wip", 0, FUTURE_DUE[:10], 0),
        ("SH030", "Layout", "retake", 3, None, 1),
        ("SH040", "Layout", "todo", 0, None, 0),
    ]


def test_kitsu_persons_hold_names_only(first_sync: SyncResult, config: Config) -> None:
    columns = [c[0] for c in _query(config, "describe raw.kitsu__persons")]
    assert columns == [
        "instance",
        "id",
        "created_at",
        "updated_at",
        "first_name",
        "last_name",
        "full_name",
        "_raw",
        "_synced_at",
        "_run_id",
        "_deleted_at",
    ]
    rows = _query(config, "select full_name, _raw from raw.kitsu__persons order by full_name")
    # Other Kitsu tests may add people to the shared Zou: the seeded ones are checked.
    assert {"Ann Artist", "Bob Builder", "Super Admin"} <= {r[0] for r in rows}
    for _, raw in rows:
        assert sorted(json.loads(raw)) == [
            "created_at",
            "first_name",
            "full_name",
            "id",
            "last_name",
            "updated_at",
        ]
    dump = _query(config, "select string_agg(_raw, ' ') from raw.kitsu__persons")[0][0]
    assert "@" not in dump and "+33" not in dump


def _build(config: Config) -> None:
    result = build(config)
    assert result.ok, (
        [(m.name, m.error) for m in result.failed_models],
        [(t.name, t.status) for t in result.test_failures],
    )


def _deliverables(config: Config) -> list[tuple[Any, ...]]:
    return _query(
        config,
        "select shooting_method, shot_name, stage, status_code, status_label, status_group, "
        "coverage_bucket, production, assignees_count, retake_count, in_scope "
        "from marts.deliverables where source = 'kitsu' order by shot_name, stage",
    )


def _coverage(config: Config) -> list[tuple[Any, ...]]:
    return _query(
        config,
        "select label, shotlist, expected_images, validated_images, in_progress_images, "
        "captured_images, missing_images, missing_views, coverage_status "
        "from marts.shotlist_coverage where source = 'kitsu' order by label",
    )


def _alerts(config: Config) -> list[tuple[Any, ...]]:
    return _query(
        config,
        "select a.alert_type, p.label, d.stage, a.expected, a.actual, a.message "
        "from marts.guideline_alerts a "
        "left join marts.products p on p.source = a.source and p.product_key = a.product_key "
        "left join marts.deliverables d "
        "on d.source = a.source and d.deliverable_key = a.deliverable_key "
        "where a.source = 'kitsu' order by all",
    )


def _breakdown(config: Config) -> list[tuple[Any, ...]]:
    return _query(
        config,
        "select production, shooting_method, collection, stage, status_group, deliverables, "
        "round(share, 4) from marts.status_breakdown where source = 'kitsu' order by all",
    )


def test_kitsu_marts_match_the_seeded_production(first_sync: SyncResult, config: Config) -> None:
    _build(config)
    spring = "Spring Campaign"
    assert _deliverables(config) == [
        (
            "SQ01",
            "SH010",
            "Animation",
            "done",
            "Done",
            "validated",
            "validated",
            spring,
            0,
            0,
            True,
        ),
        ("SQ01", "SH010", "Layout", "done", "Done", "validated", "validated", spring, 1, 0, True),
        ("SQ01", "SH010", "Lighting", "done", "Done", "validated", "validated", spring, 0, 0, True),
        (
            "SQ01",
            "SH020",
            "Animation",
            "wfa",
            "Waiting For Approval",
            "for_approval",
            "in_progress",
            spring,
            2,
            0,
            True,
        ),
        ("SQ01", "SH020", "Layout", "done", "Done", "validated", "validated", spring, 0, 0, True),
        (
            "SQ01",
            "SH020",
            "Lighting",
            "todo",
            "Todo",
            "not_started",
            "captured",
            spring,
            0,
            0,
            True,
        ),
        (
            "SQ01",
            "SH030",
            "Animation",
            "wip",
            "Work In Progress",
            "in_progress",
            "in_progress",
            spring,
            0,
            0,
            True,
        ),
        (
            "SQ01",
            "SH030",
            "Layout",
            "retake",
            "Retake",
            "refused",
            "in_progress",
            spring,
            1,
            3,
            True,
        ),
        # SH040 is canceled: its task is a deliverable, out of scope.
        (
            "SQ02",
            "SH040",
            "Layout",
            "todo",
            "Todo",
            "not_started",
            "captured",
            spring,
            0,
            0,
            False,
        ),
    ]
    products = _query(
        config,
        "select label, category_path, collection, in_scope from marts.products "
        "where source = 'kitsu' order by label",
    )
    assert products == [
        ("SQ01 / SH010", "Spring Campaign / SQ01", "SQ01", True),
        ("SQ01 / SH020", "Spring Campaign / SQ01", "SQ01", True),
        ("SQ01 / SH030", "Spring Campaign / SQ01", "SQ01", True),
        ("SQ02 / SH040", "Spring Campaign / E01 / SQ02", "SQ02", False),
        ("SQ02 / SH050", "Spring Campaign / E01 / SQ02", "SQ02", True),
    ]
    # Canceled SH040 is not covered; SH050 has no task, hence no guideline.
    assert _coverage(config) == [
        ("SQ01 / SH010", spring, 3, 3, 0, 0, 0, [], "complete"),
        ("SQ01 / SH020", spring, 3, 1, 1, 1, 2, ["Animation", "Lighting"], "in_progress"),
        ("SQ01 / SH030", spring, 2, 0, 2, 0, 2, ["Layout", "Animation"], "in_progress"),
        ("SQ02 / SH050", spring, None, 0, 0, 0, None, None, "no_guideline"),
    ]
    assert _alerts(config) == [
        (
            "canceled_shot_open_tasks",
            None,
            None,
            "0",
            "1",
            "canceled shot SQ02 / SH040 (Spring Campaign) has 1 open task(s)",
        ),
        (
            "missing_view",
            "SQ01 / SH020",
            None,
            "Animation",
            None,
            "no validated image for required view Animation",
        ),
        (
            "missing_view",
            "SQ01 / SH020",
            None,
            "Lighting",
            None,
            "no validated image for required view Lighting",
        ),
        (
            "missing_view",
            "SQ01 / SH030",
            None,
            "Animation",
            None,
            "no validated image for required view Animation",
        ),
        (
            "missing_view",
            "SQ01 / SH030",
            None,
            "Layout",
            None,
            "no validated image for required view Layout",
        ),
        (
            "rework_over_limit",
            "SQ01 / SH030",
            "Layout",
            "2",
            "3",
            "SH030 Layout: 3 retakes, the production allows 2",
        ),
        ("shot_without_tasks", "SQ02 / SH050", None, None, "0", "SQ02 / SH050 has no task"),
        (
            "task_overdue",
            "SQ01 / SH020",
            "Lighting",
            "2020-01-15",
            "todo",
            "SH020 Lighting was due on 2020-01-15 and is Todo",
        ),
        (
            "too_few_images",
            "SQ01 / SH020",
            None,
            "3",
            "1",
            "1 validated image(s), guideline Spring Campaign shot tasks expects 3",
        ),
        (
            "too_few_images",
            "SQ01 / SH030",
            None,
            "2",
            "0",
            "0 validated image(s), guideline Spring Campaign shot tasks expects 2",
        ),
    ]
    # Per production and sequence (collection), stage = task type; shares within the sequence.
    assert _breakdown(config) == [
        (spring, "SQ01", "SQ01", "Animation", "for_approval", 1, round(1 / 8, 4)),
        (spring, "SQ01", "SQ01", "Animation", "in_progress", 1, round(1 / 8, 4)),
        (spring, "SQ01", "SQ01", "Animation", "validated", 1, round(1 / 8, 4)),
        (spring, "SQ01", "SQ01", "Layout", "refused", 1, round(1 / 8, 4)),
        (spring, "SQ01", "SQ01", "Layout", "validated", 2, round(2 / 8, 4)),
        (spring, "SQ01", "SQ01", "Lighting", "not_started", 1, round(1 / 8, 4)),
        (spring, "SQ01", "SQ01", "Lighting", "validated", 1, round(1 / 8, 4)),
        (spring, "SQ02", "SQ02", "Layout", "not_started", 1, 1.0),
    ]


def test_kitsu_shots_read_by_name_and_tasks_due_dates_are_deadlines(
    first_sync: SyncResult, config: Config
) -> None:
    _build(config)
    refs = _query(
        config,
        "select product_ref from marts.products_behind where source = 'kitsu' order by behind_rank",
    )
    # Shots by sequence / shot, never by UUID: SH030 (0 of 2) before SH020 (1 of 3).
    assert refs == [("SQ01 / SH030",), ("SQ01 / SH020",)]
    # SQ01's deadline is the latest due date of its shots' tasks (SH030's Animation); SQ02's
    # only live shot has no task, so no deadline.
    pace = _query(
        config,
        "select collection, deadline, deadline_source from marts.collection_pace "
        "where level = 'collection' order by collection",
    )
    assert pace == [
        ("SQ01", datetime.fromisoformat(FUTURE_DUE).date(), "kitsu"),
        ("SQ02", None, None),
    ]


def test_kitsu_incremental_sync_after_changes_and_a_deletion(
    first_sync: SyncResult,
    config: Config,
    seeded: Seeded,
    zou_admin: ZouAdmin,
    zou: ZouServer,
    zou_services: Services,
) -> None:
    # Everything seeded becomes a year old, so the incremental pass has rows to stop at.
    run_sql(
        zou_services,
        zou,
        "update task set updated_at = '2025-06-01'; update entity set updated_at = '2025-06-01'",
    )
    statuses = seeded.statuses
    zou_admin.put(
        f"/data/tasks/{seeded.tasks[('SH020', 'Lighting')]}",
        {"task_status_id": statuses["done"]},
    )
    zou_admin.put(
        f"/data/tasks/{seeded.tasks[('SH030', 'Animation')]}",
        {"task_status_id": statuses["wfa"]},
    )
    zou_admin.delete(f"/data/shots/{seeded.shots['SH010']}", force="true")

    second = sync_sources(config, ["kitsu"])
    results = _by_resource(second)
    assert second.ok, [(r.resource, r.status, r.error) for r in second.results]
    assert results["tasks"].mode == "incremental"
    assert results["entities"].mode == "incremental"
    # Newest first: the two changed tasks, then an old one on the first page ends the pass.
    assert (results["tasks"].pages, results["tasks"].rows) == (1, 2)
    assert (results["entities"].pages, results["entities"].rows) == (1, 0)

    deleted = _query(
        config,
        "select name, coalesce(data->>'shot_id', data->>'task_id') "
        "from raw.kitsu__deletion_events order by name, 2",
    )
    sh010_tasks = sorted(seeded.tasks[("SH010", t)] for t in ("Animation", "Layout", "Lighting"))
    assert deleted == [("shot:delete", seeded.shots["SH010"])] + [
        ("task:delete", task) for task in sh010_tasks
    ]
    status = _query(
        config,
        "select ts.short_name from raw.kitsu__tasks t "
        "join raw.kitsu__task_statuses ts on ts.id = t.task_status_id "
        f"where t.id in ('{seeded.tasks[('SH020', 'Lighting')]}', "
        f"'{seeded.tasks[('SH030', 'Animation')]}') order by t.id = "
        f"'{seeded.tasks[('SH020', 'Lighting')]}' desc",
    )
    assert status == [("done",), ("wfa",)]

    # Incremental passes mark nothing: the deletion is known from the events only.
    marked = _query(config, "select count(*) from raw.kitsu__tasks where _deleted_at is not null")
    assert marked == [(0,)]
    _build(config)
    _assert_marts_after_changes(config)


def _assert_marts_after_changes(config: Config) -> None:
    """SH020 Lighting done, SH030 Animation waiting for approval, SH010 deleted."""
    assert [(r[1], r[2], r[5]) for r in _deliverables(config)] == [
        ("SH020", "Animation", "for_approval"),
        ("SH020", "Layout", "validated"),
        ("SH020", "Lighting", "validated"),
        ("SH030", "Animation", "for_approval"),
        ("SH030", "Layout", "refused"),
        ("SH040", "Layout", "not_started"),
    ]
    spring = "Spring Campaign"
    assert _coverage(config) == [
        ("SQ01 / SH020", spring, 3, 2, 1, 0, 1, ["Animation"], "in_progress"),
        ("SQ01 / SH030", spring, 2, 0, 2, 0, 2, ["Layout", "Animation"], "in_progress"),
        ("SQ02 / SH050", spring, None, 0, 0, 0, None, None, "no_guideline"),
    ]
    assert [(r[0], r[1], r[2]) for r in _alerts(config)] == [
        ("canceled_shot_open_tasks", None, None),
        ("missing_view", "SQ01 / SH020", None),
        ("missing_view", "SQ01 / SH030", None),
        ("missing_view", "SQ01 / SH030", None),
        ("rework_over_limit", "SQ01 / SH030", "Layout"),
        ("shot_without_tasks", "SQ02 / SH050", None),
        ("too_few_images", "SQ01 / SH020", None),
        ("too_few_images", "SQ01 / SH030", None),
    ]


def test_kitsu_full_refresh_marks_vanished_rows(
    first_sync: SyncResult, config: Config, seeded: Seeded
) -> None:
    third = sync_sources(config, ["kitsu"], full_refresh=True)
    results = _by_resource(third)
    assert third.ok
    assert results["tasks"].deleted == 3
    assert results["entities"].deleted == 1
    gone = _query(
        config,
        "select e.name from raw.kitsu__entities e where e._deleted_at is not null",
    )
    assert gone == [("SH010",)]
    live = _query(config, "select count(*) from raw.kitsu__tasks where _deleted_at is null")
    assert live == [(8,)]
    # The same marts whether deletions came from events or from the reconciliation.
    _build(config)
    _assert_marts_after_changes(config)


def test_kitsu_weekly_report_shows_the_production(
    first_sync: SyncResult, config: Config, tmp_path: Path
) -> None:
    _build(config)
    [path] = write_report(config, formats=["xlsx"], out_dir=tmp_path)
    workbook = load_workbook(path, read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    workbook.close()
    assert "Spring Campaign" in cells
    assert "SQ01 / SH030" in cells
    assert "Old Spot" not in cells
