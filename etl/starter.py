"""`shotlist init`: a commented starter `shotlist.toml`, generated from the config models."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from etl.config import DEFAULT_CONFIG, Config
from etl.errors import ConfigError

FIRST = ("warehouse", "sources")  # what a new user edits first; the rest in the models' order
PROFILE = "example"  # the name shown for a table of named sections (`[report.profiles.example]`)
# Friendlier values than the generic placeholders for settings that have no default; a setting
# missing here (a new one) still gets a placeholder that validates.
EXAMPLES: dict[str, Any] = {
    "sources.kitsu.base_url": "https://kitsu.example.com/api",
    "smtp.host": "smtp.example.com",
    "smtp.port": 587,
    "smtp.username": "reports@example.com",
    "smtp.from": "Shotlist reports <reports@example.com>",
    "guidelines.path": "data/guidelines.toml",
    "report.profiles.example.title": "Weekly report: Example brand",
    "report.profiles.example.deliverables_sheet": True,
}

INTRO = """\
# Shotlist Analytics configuration, written by `shotlist init`. Every setting is shown with
# its default; a commented-out section is off until you uncomment it (at least its [header]).
# Relative paths are relative to this file's folder. Unknown keys are errors.
# Secrets are never written here: each *_env key names the environment variable holding one.
"""


def _optional(annotation: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); anything else -> (annotation, False)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _section(annotation: Any) -> type[BaseModel] | None:
    inner, _ = _optional(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _named_sections(annotation: Any) -> type[BaseModel] | None:
    """`dict[str, Section]`: a table of named sections."""
    if typing.get_origin(annotation) is dict:
        return _section(typing.get_args(annotation)[1])
    return None


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def _placeholder(name: str, field: FieldInfo, table: str) -> Any:
    """A value that validates, for a setting with no default (or None)."""
    if f"{table}.{field.alias or name}" in EXAMPLES:
        return EXAMPLES[f"{table}.{field.alias or name}"]
    if field.examples:
        return field.examples[0]
    if name.endswith("_env"):
        return f"{table.split('.')[-1]}_{name.removesuffix('_env')}".upper()
    inner, _ = _optional(field.annotation)
    origin = typing.get_origin(inner) or inner
    if origin is bool:
        return False
    if origin in (int, float):
        low = 0  # the smallest value the field's bounds allow
        for bound in field.metadata:
            if getattr(bound, "ge", None) is not None:
                low = max(low, bound.ge)
            if getattr(bound, "gt", None) is not None:
                low = max(low, bound.gt + 1)
        return origin(low)
    if origin is list:
        return []
    if origin is dict:
        return {}
    if origin is Literal:
        return typing.get_args(inner)[0]
    return "CHANGE-ME"


def _setting(name: str, field: FieldInfo, table: str) -> tuple[str, str, bool]:
    """`key = value`, its comment, and whether it is a default (else an example to fill in)."""
    key = field.alias or name
    notes = [field.description] if field.description else []
    inner, _ = _optional(field.annotation)
    if typing.get_origin(inner) is Literal:
        notes.append("one of " + ", ".join(_toml(a) for a in typing.get_args(inner)))
    if field.is_required():
        value, state = _placeholder(name, field, table), "required"
    else:
        default = field.get_default(call_default_factory=True)
        if default is None:
            value, state = _placeholder(name, field, table), "not set by default"
        else:
            value, state = default, ""
    if state:
        notes.append(state)
    return f"{key} = {_toml(value)}", "; ".join(notes), not state


def _render(model: type[BaseModel], table: str, on: bool, all_on: bool, out: list[str]) -> None:
    """Append `[table]` and its settings, then its sub-sections; `on`: left uncommented."""
    mark = "" if on else "# "
    doc = (model.__doc__ or "").strip().splitlines()
    out.append("")
    if doc and doc[0] and model.__module__ != "pydantic.main":
        out.append(f"# {doc[0]}")
    out.append(f"{mark}[{table}]")
    subsections: list[tuple[str, type[BaseModel], bool]] = []
    # A section's own settings first, then those it inherits (a source's base_url before the
    # HTTP settings every source shares).
    own = model.__dict__.get("__annotations__", {})
    names = sorted(model.model_fields, key=lambda n: n not in own)
    for name in names:
        field = model.model_fields[name]
        sub = _section(field.annotation)
        named = _named_sections(field.annotation)
        if sub is not None:
            optional = not field.is_required() and field.get_default() is None
            subsections.append((f"{table}.{name}", sub, on and (all_on or not optional)))
        elif named is not None:
            subsections.append((f"{table}.{field.alias or name}.{PROFILE}", named, all_on))
        else:
            line, note, default = _setting(name, field, table)
            # An example stays commented out in a section that is on: it would change behaviour.
            prefix = mark if default or all_on else "# "
            out.append(f"{prefix}{line}" + (f"  # {note}" if note else ""))
    for sub_table, sub, sub_on in subsections:
        _render(sub, sub_table, sub_on, all_on, out)


def starter_config(*, all_on: bool = False) -> str:
    """The starter file; `all_on` uncomments every optional section (to validate them all)."""
    fields = {n: f for n, f in Config.model_fields.items() if n != "path"}
    order = [n for n in FIRST if n in fields] + [n for n in fields if n not in FIRST]
    out = [INTRO.rstrip("\n")]
    for name in order:
        model = _section(fields[name].annotation)
        if model is None:
            continue
        optional = fields[name].get_default() is None
        _render(model, name, all_on or not optional, all_on, out)
    # A section header with nothing under it is still a (valid, empty) table.
    return "\n".join(out) + "\n"


def write_starter(folder: Path, *, force: bool = False) -> Path:
    """Write `<folder>/shotlist.toml`; an existing file is kept unless `force`."""
    path = folder / DEFAULT_CONFIG
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_config(), encoding="utf-8")
    return path
