"""`shotlist build`, `test`, `docs`, `query` through click."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from etl.cli import cli

from . import scenario
from .helpers import load_raw, make_config

COMMANDS = ("build", "test", "docs", "query")


def _run(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(folder / "shotlist.toml"), *args])
    return result.exit_code, result.output


def test_every_model_command_has_help() -> None:
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None and command.help and "Example" in command.help, name


def test_build_then_query_docs_and_test(tmp_path: Path) -> None:
    config = make_config(tmp_path, guidelines=scenario.GUIDELINES)
    load_raw(config, scenario.raw_tables())
    code, output = _run(tmp_path, "build")
    assert code == 0, output
    assert "success  marts.shotlist_coverage 7 rows" in output
    assert f"published {tmp_path / 'analytics.duckdb'}" in output

    sql = "select coverage_status, count(*) as n from marts.shotlist_coverage group by 1 order by 1"
    code, output = _run(tmp_path, "query", sql, "--format", "csv")
    assert code == 0
    assert output.splitlines() == [
        "coverage_status,n",
        "complete,3",
        "in_progress,2",
        "no_guideline,1",
        "not_started,1",
    ]
    code, output = _run(
        tmp_path,
        "query",
        "select product_key, missing_views from marts.shotlist_coverage "
        "where product_key = 'BAG-2'",
        "--format",
        "json",
    )
    assert json.loads(output) == [{"product_key": "BAG-2", "missing_views": ["BACK", "SIDE"]}]
    code, output = _run(tmp_path, "query", "select 1 as one")
    assert output.splitlines()[1] == "| one |"
    assert output.splitlines()[3] == "| 1   |"

    target = tmp_path / "dictionary.md"
    code, output = _run(tmp_path, "docs", "-o", str(target))
    assert code == 0
    text = target.read_text()
    assert "## marts.shotlist_coverage" in text
    assert "| `missing_images` | INTEGER |" in text or "| `missing_images` | BIGINT |" in text

    code, output = _run(tmp_path, "test")
    assert code == 0
    assert output.splitlines()[-1].endswith(" passed, 0 failed")


def test_query_errors_are_one_line(tmp_path: Path) -> None:
    make_config(tmp_path)
    code, output = _run(tmp_path, "query", "select 1")
    assert code == 1
    assert "no analytics database yet; run `shotlist build` first" in output
    assert _run(tmp_path, "build")[0] == 0
    code, output = _run(tmp_path, "query", "select * from marts.nope")
    assert code == 1
    assert output.startswith("Error: query failed: Catalog Error")
    assert len(output.strip().splitlines()) == 1


def test_failed_build_exits_non_zero_with_details(tmp_path: Path) -> None:
    make_config(tmp_path, guidelines='[[guideline]]\nname = "X"\nexpected_images = "two"\n')
    code, output = _run(tmp_path, "build")
    assert code == 1
    assert output.strip() == (
        f"Error: {tmp_path / 'guidelines.toml'}: guideline 'X' (#1): expected_images: "
        "input should be a valid integer, unable to parse string as an integer (got 'two')"
    )


def test_error_level_test_failure_exits_non_zero_listing_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = tmp_path / "sql"
    (sql / "marts").mkdir(parents=True)
    (sql / "marts" / "t.sql").write_text("select * from (values (1), (1), (2)) as v(id)")
    (sql / "schema.toml").write_text('[marts.t.columns.id]\ntests = ["unique"]\n')
    # `etl.models.build` the attribute is the function; patch the module's default SQL folder.
    monkeypatch.setattr(sys.modules["etl.models.build"], "SQL_DIR", sql)
    make_config(tmp_path / "project")
    code, output = _run(tmp_path / "project", "build")
    assert code == 1
    lines = output.splitlines()
    assert "data tests: 0 passed, 1 failed, 0 warnings, 0 skipped" in lines
    assert (
        'FAIL unique_marts_t_id (marts.t.id): 1 failing row(s), first: {"id": 1, "n_rows": 2}'
        in lines
    )
    assert lines[-1].startswith("Error: build failed: 0 model(s) failed, 0 skipped, 1 data test")
    assert not (tmp_path / "project" / "analytics.duckdb").exists()
