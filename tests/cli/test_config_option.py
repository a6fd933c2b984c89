"""`--config PATH` is accepted after the subcommand as well as before it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import cli


def analytics_config(folder: Path, value: int) -> Path:
    """A config whose analytics database holds one row, `value`, in `t`."""
    folder.mkdir()
    con = duckdb.connect(str(folder / "analytics.duckdb"))
    con.execute("create table t as select ? as n", [value])
    con.close()
    path = folder / "shotlist.toml"
    path.write_text('[warehouse]\nanalytics_path = "analytics.duckdb"\n', encoding="utf-8")
    return path


def query(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_option_before_or_after_the_subcommand(tmp_path: Path, where: str) -> None:
    config = str(analytics_config(tmp_path / "a", 17))
    sql = ["query", "select n from t", "--format", "csv"]
    args = ["--config", config, *sql] if where == "before" else [*sql, "--config", config]
    assert query(*args).splitlines() == ["n", "17"]


def test_config_option_after_the_subcommand_wins(tmp_path: Path) -> None:
    first = str(analytics_config(tmp_path / "a", 1))
    second = str(analytics_config(tmp_path / "b", 2))
    output = query(
        "--config", first, "query", "select n from t", "--format", "csv", "--config", second
    )
    assert output.splitlines() == ["n", "2"]


def test_config_option_after_the_subcommand_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = CliRunner().invoke(cli, ["runs", "--config", str(missing)])
    assert result.exit_code == 1
    assert result.output == f"Error: {missing}: config file not found\n"
