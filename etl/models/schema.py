"""Reads `sql/schema.toml`: descriptions (COMMENT ON) and declared data tests of each model."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.models.errors import ModelDefinitionError

SEVERITIES = ("warn", "error")
GENERIC_TESTS = ("not_null", "unique", "accepted_values", "relationships", "expression")


@dataclass(frozen=True)
class TestSpec:
    """One declared test: `kind` with its argument, on a column (None: the whole table)."""

    relation: str
    column: str | None
    kind: str
    argument: Any
    severity: str = "error"
    match: tuple[str, ...] = ()


@dataclass
class ModelDoc:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class SchemaFile:
    docs: dict[str, ModelDoc] = field(default_factory=dict)
    tests: list[TestSpec] = field(default_factory=list)


def _parse_test(where: str, relation: str, column: str | None, raw: Any) -> TestSpec:
    if isinstance(raw, str):
        kind, argument, severity, match = raw, True, "error", ()
    elif isinstance(raw, dict):
        kinds = [k for k in raw if k in GENERIC_TESTS]
        unknown = [k for k in raw if k not in (*GENERIC_TESTS, "severity", "match")]
        if len(kinds) != 1 or unknown:
            raise ModelDefinitionError(
                f"{where}: a test names exactly one of {', '.join(GENERIC_TESTS)} "
                f"(got {', '.join(map(str, raw))})"
            )
        kind = kinds[0]
        argument = raw[kind]
        severity = raw.get("severity", "error")
        match = tuple(raw.get("match", ()))
    else:
        raise ModelDefinitionError(f"{where}: a test is a name or a table, got {raw!r}")
    if kind not in GENERIC_TESTS:
        raise ModelDefinitionError(f"{where}: unknown test {kind!r}")
    if severity not in SEVERITIES:
        raise ModelDefinitionError(f"{where}: severity must be warn or error, got {severity!r}")
    table_level = column is None and kind in ("not_null", "accepted_values", "relationships")
    if table_level and not isinstance(argument, str):
        raise ModelDefinitionError(f"{where}: table-level {kind} needs a column name")
    return TestSpec(relation, column, kind, argument, severity, match)


def load_schema(path: Path) -> SchemaFile:
    """Parse the schema file; a missing file means no docs and no declared tests."""
    result = SchemaFile()
    if not path.exists():
        return result
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ModelDefinitionError(f"{path}: not valid TOML: {exc}") from None
    for schema, models in data.items():
        if not isinstance(models, dict):
            raise ModelDefinitionError(f"{path}: {schema}: expected a table of models")
        for name, spec in models.items():
            relation = f"{schema}.{name}"
            doc = ModelDoc(description=str(spec.get("description", "")).strip())
            for raw in spec.get("tests", []):
                result.tests.append(_parse_test(f"{path}: {relation}", relation, None, raw))
            for column, col_spec in spec.get("columns", {}).items():
                if isinstance(col_spec, str):
                    col_spec = {"description": col_spec}
                doc.columns[column] = str(col_spec.get("description", "")).strip()
                for raw in col_spec.get("tests", []):
                    where = f"{path}: {relation}.{column}"
                    result.tests.append(_parse_test(where, relation, column, raw))
            result.docs[relation] = doc
    return result
