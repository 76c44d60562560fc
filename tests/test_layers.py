"""The layer rules of docs/architecture.md and ADR 0008, read from the import statements.

- adapters/ and citysim/ never import the gateway; one adapter kind never imports
  another (what they share lives in adapters.sdk); adapters/ has no import circle;
- gateway/ imports from adapters only their public surface for the gateway:
  ``adapters`` itself (its ``__all__``), ``adapters.contract``, ``adapters.errors``,
  ``adapters.registry``, ``adapters.geo``;
- inside gateway/, a stage imports only later stages (http -> graphql -> policy ->
  query), the shared helpers (auth, federation, clock, errors) import no stage, and
  ``ops/`` (beside every stage), ``process/`` and ``cli/`` (the assembly) may import any.

Each rule's test compares what it finds with the exceptions still listed here
(``KNOWN_*``), so a new forbidden import fails with the module and the name, e.g.
adding ``from adapters.ngsi_ld.mapping import to_entity`` to gateway/query/merge.py::

    AssertionError: assert {'gateway/query/merge.py': ['adapters.ngsi_ld.mapping']} == {}

and ``from gateway.graphql.schema.types import City`` in gateway/query/entities.py::

    AssertionError: assert {..., 'gateway/query/entities.py': [..., 'gateway.graphql.schema.types',
    ...]} == {...}

Removing an exception fails the test too, until its line here goes: the lists only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
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


GATEWAY_MAY_IMPORT = frozenset(
    {"adapters", "adapters.contract", "adapters.errors", "adapters.registry", "adapters.geo"}
)
"""The public surface of adapters for the gateway (docs/architecture.md)."""

KNOWN_ADAPTER_IMPORTS = {"gateway/query/filtering.py": ["adapters.sdk.local"]}
"""To remove: what a SourceQuery's filters mean is defined once in adapters.sdk.local; it belongs
beside the contract (adapters/ is another engineer's: issue 12)."""

STAGES = ("http", "graphql", "live", "policy", "query")
SHARED_HELPERS = frozenset({"auth", "federation", "clock", "errors"})
FREE = frozenset({"ops", "process", "cli"})

KNOWN_STAGE_EXCEPTIONS = {
    # the shared auth config reads the settings of the process
    "gateway/auth/config.py": ["gateway.process.settings"],
    # graphql and query read the Runtime in force, which process/ assembles
    "gateway/graphql/pipeline.py": ["gateway.process.runtime"],
    "gateway/graphql/schema/context.py": ["gateway.process.runtime"],
    "gateway/http/app.py": [
        "gateway.process.runtime",
        "gateway.process.settings",
        "gateway.process.state",
    ],
    "gateway/http/asgi.py": ["gateway.process.settings"],
    "gateway/http/graphql_endpoint.py": ["gateway.process.state"],
    "gateway/http/slow_clients.py": ["gateway.process.settings"],
    "gateway/query/datasets.py": ["gateway.process.runtime"],
    # the planner takes each city's policy decision and records it; the answer is redacted
    # by the grant's rules: policy is consulted from inside the query stage
    "gateway/query/entities.py": ["gateway.policy.audit_trail", "gateway.process.runtime"],
    "gateway/query/filtering.py": ["gateway.policy.redaction"],
    "gateway/query/history.py": [
        "gateway.policy.audit_trail",
        "gateway.policy.dataset_redaction",
        "gateway.policy.decisions",
        "gateway.policy.history_redaction",
        "gateway.process.runtime",
    ],
    "gateway/query/planner.py": [
        "gateway.policy.audit_trail",
        "gateway.policy.decisions",
        "gateway.policy.pushdown",
    ],
    "gateway/query/statistics.py": ["gateway.policy.audit_trail", "gateway.process.runtime"],
}
"""To remove (ADR 0008, "Known exceptions")."""


def outside_surface(path: Path) -> list[str]:
    """The adapters modules a gateway module imports beyond ``GATEWAY_MAY_IMPORT``."""
    return sorted(
        name
        for name in imported_modules(path)
        if name.split(".")[0] == "adapters" and name not in GATEWAY_MAY_IMPORT
    )


def stage_of(module: str) -> str | None:
    """``http`` for ``gateway.http.app``; None outside gateway/."""
    parts = module.split(".")
    return parts[1] if parts[0] == "gateway" and len(parts) > 1 else None


def against_the_stages(path: Path, root: Path = ROOT) -> list[str]:
    """The gateway modules ``path`` (under ``root``) imports against the stage rule (ADR 0008,
    rule 1)."""
    own = stage_of(".".join(path.relative_to(root).with_suffix("").parts))
    found = []
    for name in imported_modules(path):
        other = stage_of(name)
        if other is None or other == own or own in FREE:
            continue
        if own in SHARED_HELPERS:
            wrong = other not in SHARED_HELPERS
        elif own in STAGES and other in STAGES:
            wrong = STAGES.index(other) < STAGES.index(own)
        else:
            wrong = own in STAGES and other in {"process", "cli"}
        if wrong:
            found.append(name)
    return sorted(found)


def _offenders(check: Callable[[Path], list[str]]) -> dict[str, list[str]]:
    found = {}
    for module in sorted((ROOT / "gateway").rglob("*.py")):
        names = check(module)
        if names:
            found[str(module.relative_to(ROOT))] = names
    return found


def test_gateway_imports_only_the_public_surface_of_adapters() -> None:
    assert _offenders(outside_surface) == KNOWN_ADAPTER_IMPORTS


def test_a_stage_imports_only_later_stages_and_shared_helpers() -> None:
    assert _offenders(against_the_stages) == KNOWN_STAGE_EXCEPTIONS


def test_the_checkers_see_a_forbidden_import(tmp_path: Path) -> None:
    source = (ROOT / "gateway" / "query" / "merge.py").read_text(encoding="utf-8")
    module = tmp_path / "gateway" / "query" / "merge.py"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    assert outside_surface(module) == []
    assert against_the_stages(module, tmp_path) == []
    bad = "from adapters.ngsi_ld.mapping import to_entity\nfrom gateway.graphql import schema\n"
    module.write_text(bad + source, encoding="utf-8")
    assert outside_surface(module) == ["adapters.ngsi_ld.mapping"]
    assert against_the_stages(module, tmp_path) == ["gateway.graphql"]
