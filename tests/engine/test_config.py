"""Config loading: defaults, one-line errors naming file and key, secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import load_config, secret_from_env
from etl.errors import ConfigError, SecretMissingError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shotlist.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_reads_grandshooting_section(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[warehouse]\npath = "w/x.duckdb"\n[sources.grandshooting]\n'
        'base_url = "http://127.0.0.1:9/v3"\nrate_limit = 2.5\naccount_ids = [3, 4]\n',
    )
    config = load_config(path)
    gs = config.sources.grandshooting
    assert gs is not None
    assert (gs.base_url, gs.rate_limit, gs.account_ids) == ("http://127.0.0.1:9/v3", 2.5, [3, 4])
    assert config.resolve(config.warehouse.path) == tmp_path.resolve() / "w" / "x.duckdb"


def test_config_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "[sources.grandshooting]\nrate_limt = 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "shotlist.toml" in message
    assert "sources.grandshooting.rate_limt: unknown key" in message
    assert "\n" not in message


def test_config_wrong_type_says_what_is_expected(tmp_path: Path) -> None:
    path = write(tmp_path, '[sources.grandshooting]\nrate_limit = "five"\n')
    with pytest.raises(ConfigError, match=r"rate_limit: input should be a valid number.*'five'"):
        load_config(path)


def test_config_malformed_toml_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[warehouse\npath = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path)
    assert "\n" not in str(info.value)


def test_config_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_config_absent_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHOTLIST_CONFIG", raising=False)
    config = load_config()
    assert config.warehouse.path == Path("data/warehouse.duckdb")
    assert config.sources.grandshooting is None


def test_secret_missing_names_variable_not_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write(tmp_path, "[sources.grandshooting]\n"))
    monkeypatch.delenv("GS_TEST_TOKEN", raising=False)
    with pytest.raises(SecretMissingError, match="GS_TEST_TOKEN is not set"):
        secret_from_env("GS_TEST_TOKEN", config=config, key="sources.grandshooting.token_env")
    monkeypatch.setenv("GS_TEST_TOKEN", "s3cret-value")
    assert (
        secret_from_env("GS_TEST_TOKEN", config=config, key="sources.grandshooting.token_env")
        == "s3cret-value"
    )


def test_grandshooting_runtime_one_extract_per_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.sources.grandshooting.source import runtime

    path = write(
        tmp_path,
        '[sources.grandshooting]\nbase_url = "https://api.example/v3"\n'
        'token_env = "GS_TEST_TOKEN"\naccount_ids = [101, 102]\n'
        'account_base_urls = { "102" = "https://api-16.example/v3" }\nrate_limit = 4\n',
    )
    monkeypatch.setenv("GS_TEST_TOKEN", "tok-abcdef")
    bound = runtime(load_config(path))
    assert [(e.scope, e.base_url, e.params) for e in bound.extracts] == [
        ("101", "https://api.example/v3", (("account_id", "101"),)),
        ("102", "https://api-16.example/v3", (("account_id", "102"),)),
    ]
    assert bound.rate_limit == 4
    assert "tok-abcdef" not in repr(bound)
