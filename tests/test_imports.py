"""The import graph of `etl`: no cycles, and no project import hidden inside a function."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "etl"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The project modules an import statement loads (a `from pkg import mod` names `mod`)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            base = importlib.util.resolve_name("." * node.level + base, package)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    return sorted({name for name in names if name in MODULES})


def _walk(
    body: list[ast.stmt], module: str, edges: set[str], hidden: list[str], nested: bool
) -> None:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            targets = _targets(node, module)
            if nested and targets:
                hidden.append(f"{module}:{node.lineno} imports {', '.join(targets)}")
            elif not nested:
                edges.update(targets)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            continue  # never executed: annotations only
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            _walk(node.body, module, edges, hidden, nested=True)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    inner = [c for c in children if isinstance(c, ast.stmt)]
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            inner.extend(handler.body)
                    _walk(inner, module, edges, hidden, nested)


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Module-level imports between `etl` modules, and the imports found inside functions."""
    graph: dict[str, set[str]] = {}
    hidden: list[str] = []
    for module, path in MODULES.items():
        edges: set[str] = set()
        _walk(ast.parse(path.read_text(encoding="utf-8")).body, module, edges, hidden, False)
        graph[module] = edges - {module}
    return graph, hidden


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_import_graph_has_no_cycle() -> None:
    graph, _ = import_graph()
    assert len(graph) > 50  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_no_project_import_inside_a_function() -> None:
    _, hidden = import_graph()
    assert hidden == []


def test_cycle_finder_reports_the_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_engine_and_warehouse_do_not_import_orchestration() -> None:
    # The layering the seams rely on: the engine and the warehouse never reach up.
    graph, _ = import_graph()
    above = ("etl.config", "etl.sources", "etl.lock", "etl.sync", "etl.workspace", "etl.models")
    for module, targets in graph.items():
        if module.startswith(("etl.engine.", "etl.warehouse.")):
            reached = sorted(
                t for t in targets if any(t == a or t.startswith(a + ".") for a in above)
            )
            assert reached == [], f"{module} imports {reached}"
        if module.startswith("etl.warehouse."):
            assert not [t for t in targets if t.startswith("etl.engine")], module
