"""A city's ``adapter`` section: a registered kind, and options its adapter class accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.errors import ConfigError
from adapters.registry import AdapterRegistry, RegistryError
from gateway.federation import fields
from gateway.federation.addresses import report_link_local
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import AdapterSpec
from gateway.federation.report import Report


def parse_adapter(
    report: Report, value: object, key: str, registry: AdapterRegistry
) -> AdapterSpec | None:
    """The kind looked up in ``registry``; the options checked by its ``validate_config``.

    A ConfigError is reported at the key it names inside the section.
    """
    if value is UNRESOLVED:
        return None
    if not isinstance(value, dict):
        report.add(
            key,
            "must be a mapping of kind and options, such as {kind: ngsi-ld, url: ...}",
        )
        return None
    if "kind" not in value:
        report.add(f"{key}.kind", "missing (required)")
        return None
    kind = fields.text(report, value["kind"], f"{key}.kind")
    if kind is None:
        return None
    try:
        factory = registry.get(kind)
    except RegistryError as exc:
        report.add(f"{key}.kind", str(exc))
        return None
    options: dict[str, Any] = {k: v for k, v in value.items() if k != "kind"}
    if _contains_unresolved(options):
        return None  # reported already; the adapter cannot judge a missing value
    if report_link_local(report, options, key):
        return None
    try:
        config = factory.validate_config(options)
    except ConfigError as exc:
        report.add(fields.join(key, exc.key) if exc.key else key, exc.message)
        return None
    except Exception as exc:  # a third-party plugin may fail in any way
        report.add(
            key, f"adapter {kind!r} failed to check its options: {type(exc).__name__}: {exc}"
        )
        return None
    return AdapterSpec(kind=kind, options=options, config=config)


def parse_catalogue(
    report: Report, value: object, key: str, registry: AdapterRegistry
) -> AdapterSpec | None:
    """A ``catalogue`` section: like ``adapter``, and its kind must serve ``fetch_datasets``."""
    spec = parse_adapter(report, value, key, registry)
    if spec is None:
        return None
    if not hasattr(registry.get(spec.kind), "fetch_datasets"):
        kinds = [k for k, r in registry.kinds().items() if hasattr(r.factory, "fetch_datasets")]
        known = ", ".join(kinds) or "none"
        report.add(
            f"{key}.kind", f"{spec.kind!r} is not a catalogue kind (catalogue kinds: {known})"
        )
        return None
    return spec


def _contains_unresolved(value: object, seen: set[int] | None = None) -> bool:
    """Whether UNRESOLVED is anywhere in ``value``; a node shared through YAML aliases is
    walked once (Finding M6)."""
    if value is UNRESOLVED:
        return True
    if not isinstance(value, Mapping | list):
        return False
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    children = value.values() if isinstance(value, Mapping) else value
    return any(_contains_unresolved(v, seen) for v in children)
