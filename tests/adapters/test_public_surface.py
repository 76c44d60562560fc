"""The public surface of ``adapters``: what a city's own adapter may import, pinned.

Each surface module's ``__all__`` must equal the list below, and the module may
hold no other public name (a class or function imported into it without being
listed). So this test fails when

- an export is added without being listed here, e.g. ``from adapters.http import
  new_session`` added to ``adapters/__init__.py`` (an unlisted public name), or
  ``"new_session"`` also added to its ``__all__`` (``__all__`` differs from SURFACE);
- a listed export is removed or renamed (``__all__`` differs, or the name is missing).

Changing the surface is then a deliberate act: edit SURFACE here and
docs/adapter-public-surface.md together. The example adapter
(examples/caap-adapter-citysense) imports only names of this surface.
"""

from __future__ import annotations

import ast
import importlib
import re
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "adapter-public-surface.md"
EXAMPLE = ROOT / "examples" / "caap-adapter-citysense" / "caap_citysense"

SURFACE: dict[str, frozenset[str]] = {
    "adapters": frozenset({
        "AGGREGATE_METHODS", "Adapter", "AdapterContext", "AdapterError", "AdapterFactory",
        "Aggregation", "AnswerBudget", "AnswerBudgetSpent", "BBox", "Capabilities",
        "CatalogueAdapter", "CatalogueDataset", "CatalogueDistribution", "CatalogueQuery",
        "CatalogueResult", "CallbackHost", "Comparison", "Condition", "ConfigError",
        "EntityHistory", "GeoPoint", "HistoryAdapter", "HistoryPoint", "HistoryQuery",
        "HistoryResult", "JSONValue", "Near", "Revalidating", "SourceEntity", "SourceQuery",
        "SourceResult", "StreamQuery", "Streaming", "NotificationInbox", "UnsupportedQuery",
        "UpstreamAuthError", "UpstreamError",
        "UpstreamProtocolError", "UpstreamTimeout", "UpstreamUnavailable",
        "representative_point",
        "AttributeInfo", "Discovering", "DiscoveryQuery", "DiscoveryResult", "TypeInfo",
        "Lookup", "LookupQuery",
    }),
    "adapters.sdk": frozenset({
        "MODEL_UNITS", "Answer", "Between", "Collector", "JsonAnswer", "Matches",
        "PlatformClient", "Secret", "Unit", "UnitError", "aggregate", "convert", "fetch",
        "from_epoch", "http_url", "iso_duration", "iso_z", "matches", "model_unit", "next_link",
        "parse_config", "parse_instant", "project", "representative_point", "request_json",
        "to_model_unit", "unit", "attribute_info", "deliverable", "described",
    }),
    "adapters.credentials": frozenset({
        "AccessToken", "ApiKey", "Credentials", "CredentialsConfig", "OAuth2", "TokenSource",
        "check_credentials", "credentials_for", "parse_credentials",
    }),
    "adapters.testing": frozenset({
        "MODES", "AdapterConformance", "BadUpstream", "Catalogue", "CatalogueConformance",
        "Platform", "closed_port_url", "dataset_differences", "differences",
    }),
}  # fmt: skip


def public_names(module: types.ModuleType) -> set[str]:
    """Names a module offers: not private, not a submodule, not ``annotations``."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_the_surface_is_what_is_listed(name: str) -> None:
    module = importlib.import_module(name)
    assert set(module.__all__) == SURFACE[name], "__all__ differs from the pinned surface"
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    assert public_names(module) == SURFACE[name], "a public name is not in __all__"


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_the_doc_names_every_export(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"## `{name}`" in text
    missing = sorted(n for n in SURFACE[name] if f"`{n}`" not in text)
    assert missing == []


def test_the_example_adapter_imports_only_the_surface() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(EXAMPLE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "adapters":
                    names = [a.name for a in node.names]
                    outside = [n for n in names if n not in SURFACE.get(node.module, ())]
                    if outside:
                        found[f"{path.name}: from {node.module}"] = outside
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("adapters"):
                        found[f"{path.name}: import {alias.name}"] = [alias.name]
    assert found == {}


def test_an_unlisted_export_is_seen() -> None:
    """The checks above on a module made to break the rule."""
    module = types.ModuleType("fake")
    module.GeoPoint = object  # type: ignore[attr-defined]
    module.new_session = object  # type: ignore[attr-defined]
    module.__all__ = ["GeoPoint"]  # type: ignore[attr-defined]
    assert public_names(module) - set(module.__all__) == {"new_session"}


def test_every_document_a_module_cites_exists() -> None:
    """Issue 10: six modules cited a ``CONTRACT.md`` the repository does not have."""
    cited = re.compile(r"\b((?:docs/)?[\w.*-]+(?:/[\w.*-]+)*\.md)\b")
    missing: dict[str, list[str]] = {}
    for package in ("adapters", "gateway", "citysim"):
        for path in sorted((ROOT / package).rglob("*.py")):
            names = set(cited.findall(path.read_text(encoding="utf-8")))
            bases = (ROOT, ROOT / "docs", path.parent)
            gone = sorted(n for n in names if not any(any(b.glob(n)) for b in bases))
            if gone:
                missing[str(path.relative_to(ROOT))] = gone
    assert missing == {}
