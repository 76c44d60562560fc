"""The layer rules of ARCHITECTURE.md: adapters/ and citysim/ never import the gateway, and one
adapter kind never imports another (what they share lives in adapters.sdk)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "adapters": {"gateway", "citysim"},
    "citysim": {"gateway", "adapters"},
}


SHARED = frozenset({"sdk", "credentials", "testing"})
"""Packages under adapters/ that every kind may use; every other package is one kind."""


def imported_modules(path: Path) -> set[str]:
    """Dotted names of the modules a module imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def imported_packages(path: Path) -> set[str]:
    """Top-level package names that a module imports (absolute imports only)."""
    return {name.split(".")[0] for name in imported_modules(path)}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_forbidden_layers(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no modules found under {package}/"
    offenders = {
        str(m.relative_to(ROOT)): sorted(imported_packages(m) & FORBIDDEN[package])
        for m in modules
        if imported_packages(m) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from gateway.http.app import create_app\nimport os\n", encoding="utf-8")
    assert imported_packages(module) == {"gateway", "os"}


def test_no_adapter_kind_imports_another() -> None:
    kinds = {p.name for p in (ROOT / "adapters").iterdir() if (p / "__init__.py").exists()} - SHARED
    assert {"ngsi_ld", "sensorthings", "lynx", "rest_json", "catalogue"} <= kinds
    offenders = {}
    for module in sorted((ROOT / "adapters").rglob("*.py")):
        own = module.relative_to(ROOT / "adapters").parts[0]
        used = {n.split(".")[1] for n in imported_modules(module) if n.startswith("adapters.")}
        others = sorted((used & kinds) - {own})
        if others:
            offenders[str(module.relative_to(ROOT))] = others
    assert offenders == {}


def module_name(path: Path) -> str:
    """``adapters/sdk/fetch.py`` -> ``adapters.sdk.fetch``; a package's ``__init__`` its name."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (``TYPE_CHECKING`` imports too:
    a circle that only type checking closes still ties the modules together)."""
    modules = {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_adapters_have_no_import_circle() -> None:
    """Issue 10: ``adapters.credentials`` <-> ``adapters.http`` <-> ``adapters.sdk.fetch`` was
    a circle. A package ``__init__`` importing its own modules is not one (the modules never
    import their ``__init__`` back); a module importing a name from its package's
    ``__init__`` that re-exports it from a module importing the first one is."""
    assert circles(import_graph("adapters")) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
