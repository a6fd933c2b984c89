"""Finds the SQL models (folder = schema, file name = table) and orders them by what they read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from etl.models.errors import ModelDefinitionError

# Folders that hold models, and how each is materialised unless a header says otherwise.
LAYERS: dict[str, str] = {"staging": "view", "intermediate": "table", "marts": "table"}
# Layers built into an in-memory catalog of the same name, for the build only: nothing reads
# them after it, and writing their 400k-row tables to the warehouse file (compressing them,
# then reading them back) cost more than computing them. They can only be tables there: a view
# in that catalog cannot see the warehouse's schemas.
IN_MEMORY_LAYERS = ("intermediate",)
# Schemas filled by something else than a model (the sync engine, the seed loader).
EXTERNAL_SCHEMAS = ("raw", "seeds", "meta")
MATERIALIZATIONS = ("view", "table", "incremental")

_REFERENCE = re.compile(
    r"(?<![\w.\"])(" + "|".join([*LAYERS, *EXTERNAL_SCHEMAS]) + r")\.([A-Za-z_][A-Za-z0-9_]*)\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^--\s*(materialized|delete_by)\s*:\s*(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Model:
    """One SQL file: `sql/<schema>/<name>.sql` becomes `<schema>.<name>`."""

    schema: str
    name: str
    path: Path
    sql: str
    materialized: str
    reads: frozenset[str] = field(default_factory=frozenset)
    delete_by: str | None = None

    @property
    def in_memory(self) -> bool:
        return self.schema in IN_MEMORY_LAYERS

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def body(self) -> str:
        """The SELECT to run: the file without its trailing semicolon."""
        return self.sql.rstrip().rstrip(";").rstrip()


def strip_comments_and_strings(sql: str) -> str:
    """Blank out comments and string literals (keeping line breaks) so names in them are ignored."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(re.sub(r"[^\n]", " ", sql[i:end]))
            i = end
        elif ch == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                j += 1
            out.append("'" + re.sub(r"[^\n]", " ", sql[i + 1 : j]) + "'")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def referenced_relations(sql: str) -> set[str]:
    """Schema-qualified relations a query reads, lower-cased (`marts.products`)."""
    code = strip_comments_and_strings(sql)
    return {f"{s.lower()}.{t.lower()}" for s, t in _REFERENCE.findall(code)}


def _header(path: Path, sql: str, schema: str) -> tuple[str, str | None]:
    default = LAYERS[schema]
    materialized, delete_by = default, None
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        match = _HEADER.match(stripped)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "materialized":
            if value not in MATERIALIZATIONS:
                raise ModelDefinitionError(
                    f"{path}: materialized: unknown value {value!r} "
                    f"(expected one of {', '.join(MATERIALIZATIONS)})"
                )
            materialized = value
        else:
            delete_by = value
    if materialized == "incremental" and not delete_by:
        raise ModelDefinitionError(
            f"{path}: an incremental model needs a `-- delete_by: <column>` header line"
        )
    if schema in IN_MEMORY_LAYERS and materialized != "table":
        raise ModelDefinitionError(
            f"{path}: {schema} models are built in memory for the build, as tables only "
            f"(materialized: {materialized} is for staging and marts)"
        )
    return materialized, delete_by


def discover(sql_dir: Path) -> list[Model]:
    """Every model under `sql_dir`, in file order (not yet dependency order)."""
    models: list[Model] = []
    for schema in LAYERS:
        folder = sql_dir / schema
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.sql")):
            sql = path.read_text(encoding="utf-8")
            materialized, delete_by = _header(path, sql, schema)
            relation = f"{schema}.{path.stem.lower()}"
            reads = frozenset(referenced_relations(sql) - {relation})
            models.append(
                Model(schema, path.stem.lower(), path, sql, materialized, reads, delete_by)
            )
    return models


def dependency_order(models: list[Model]) -> list[Model]:
    """Models sorted so each comes after every model it reads; unknown models are errors."""
    by_relation = {m.relation: m for m in models}
    graph: dict[str, set[str]] = {}
    for model in models:
        deps: set[str] = set()
        for relation in sorted(model.reads):
            schema = relation.split(".", 1)[0]
            if schema in EXTERNAL_SCHEMAS:
                continue
            if relation not in by_relation:
                line = _line_of(model.sql, relation)
                raise ModelDefinitionError(
                    f"{model.path}:{line}: reads {relation}, which no model defines "
                    f"(expected a file sql/{relation.replace('.', '/')}.sql)"
                )
            if model.materialized == "view" and schema in IN_MEMORY_LAYERS:
                line = _line_of(model.sql, relation)
                raise ModelDefinitionError(
                    f"{model.path}:{line}: a view cannot read {relation}: {schema} models "
                    "exist only while the build runs (make this model a table)"
                )
            deps.add(relation)
        graph[model.relation] = deps
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise ModelDefinitionError(f"models read each other in a cycle: {cycle}") from None
    return [by_relation[r] for r in order]


def dependants(models: list[Model]) -> dict[str, set[str]]:
    """For each model, the models that read it directly."""
    out: dict[str, set[str]] = {m.relation: set() for m in models}
    for model in models:
        for relation in model.reads:
            if relation in out:
                out[relation].add(model.relation)
    return out


def _line_of(sql: str, needle: str) -> int:
    for number, line in enumerate(sql.splitlines(), start=1):
        if needle in line.lower():
            return number
    return 1
