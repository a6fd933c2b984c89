"""`shotlist init` writes a starter shotlist.toml the real loader accepts, every field shown."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner
from pydantic import BaseModel

from etl.cli import cli
from etl.config import Config, load_config, parse_config
from etl.starter import starter_config

# A commented-out setting or section header, as opposed to a line of explanation.
SETTING = re.compile(r"^# (\[[\w.]+\]|\w+ = .*)$")


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", *args])
    return result.exit_code, result.output


def uncommented(text: str) -> str:
    return "\n".join(line[2:] if SETTING.match(line) else line for line in text.splitlines())


def unset_fields(section: BaseModel, where: str) -> list[str]:
    """Fields of `section` and its sub-sections that the file did not give."""
    missing = [
        f"{where}.{name}"
        for name in type(section).model_fields
        if name not in section.model_fields_set and not (where == "" and name == "path")
    ]
    for name in type(section).model_fields:
        value = getattr(section, name)
        path = f"{where}.{name}" if where else name
        children = value.items() if isinstance(value, dict) else [("", value)]
        for key, child in children:
            if isinstance(child, BaseModel):
                missing += unset_fields(child, f"{path}.{key}" if key else path)
    return missing


def test_init_writes_a_file_the_loader_reads_as_the_defaults(tmp_path: Path) -> None:
    code, output = init(str(tmp_path / "new"))
    path = tmp_path / "new" / "shotlist.toml"
    assert code == 0 and output.startswith(f"wrote {path}\n")
    config = load_config(path)
    # What is left uncommented is the defaults, written out: loading it changes nothing.
    assert config.model_dump(exclude={"path"}) == Config().model_dump(exclude={"path"})
    assert config.sources.grandshooting is None and config.smtp is None


def test_init_shows_every_section_and_field_with_values_that_validate(tmp_path: Path) -> None:
    assert init(str(tmp_path))[0] == 0
    text = (tmp_path / "shotlist.toml").read_text(encoding="utf-8")
    data = tomllib.loads(uncommented(text))
    # Uncommenting every setting gives exactly the all-sections-on variant...
    assert data == tomllib.loads(starter_config(all_on=True))
    config = parse_config(data, tmp_path / "shotlist.toml")
    # ...in which every optional section is present and every field of every model is set.
    assert config.smtp is not None and config.sources.kitsu is not None
    assert config.sources.grandshooting is not None and config.sources.sartiq is not None
    assert list(config.report.profiles) == ["example"]
    assert unset_fields(config, "") == []
    # Secrets appear only as the names of the variables that hold them.
    assert config.sources.grandshooting.token_env == "GRANDSHOOTING_TOKEN"
    assert config.smtp.password_env == "SMTP_PASSWORD"


def test_init_keeps_an_existing_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "shotlist.toml"
    path.write_text("[warehouse]\n", encoding="utf-8")
    code, output = init(str(tmp_path))
    assert code == 1
    assert output == f"Error: {path}: already exists (use --force to overwrite)\n"
    assert path.read_text(encoding="utf-8") == "[warehouse]\n"
    assert init(str(tmp_path), "--force")[0] == 0
    assert path.read_text(encoding="utf-8") == starter_config()
