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
