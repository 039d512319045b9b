"""The service centre keeps the shape docs/app-layout.md describes: thin entry files at the app
root, one sub-package per feature, and modules that import each other one way only."""

import ast
from pathlib import Path

import service_center

APP = Path(service_center.__file__).resolve().parent
ROOT_FILES = {
    "__init__.py",
    "admin.py",
    "api.py",
    "apps.py",
    "demo.py",
    "handlers.py",
    "metrics.py",
    "models.py",
    "reminders.py",
    "tasks.py",
    "urls.py",
}
FEATURES = {"dispatch", "hotline", "legal", "nearby", "open311", "petitions", "replies"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        if "migrations" in path.relative_to(APP).parts:
            continue
        parts = ("service_center", *path.relative_to(APP).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, modules) -> set[str]:
    """The service_center modules a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("service_center"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                out.add(name if name in modules else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("service_center.")}
    return {name for name in out if name in modules and name != "service_center"}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules along it, or [] if there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module):
        state[module] = 1
        path.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        state[module] = 2
        path.pop()
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_the_app_root_holds_only_the_entry_files_and_the_features():
    files = {p.name for p in APP.glob("*.py")}
    packages = {p.parent.name for p in APP.glob("*/__init__.py")}
    assert files == ROOT_FILES
    assert packages - {"management", "migrations", "templatetags"} == FEATURES


def test_modules_import_each_other_one_way():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []
