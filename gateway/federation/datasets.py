"""A city's ``datasets``: entity types it shares, each public or for some scopes."""

from __future__ import annotations

import re

from gateway.federation import fields
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import Access, DatasetConfig
from gateway.federation.report import Report

_ENTITY_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
"""A scope-token of RFC 6749, section 3.3."""


def parse_datasets(report: Report, value: object, key: str) -> dict[str, DatasetConfig] | None:
    """Every dataset, or None if any is wrong (each reported)."""
    if value is UNRESOLVED:
        return None
    if not isinstance(value, dict) or not value:
        report.add(key, "must map at least one entity type (such as WeatherObserved) to its access")
        return None
    datasets: dict[str, DatasetConfig] = {}
    for name, dataset_value in value.items():
        dataset_key = fields.join(key, name)
        if not isinstance(name, str) or not _ENTITY_TYPE.fullmatch(name):
            report.add(dataset_key, "not an entity type name such as WeatherObserved")
            continue
        raw = fields.section(report, dataset_value, dataset_key, required=("access",))
        if raw is None or "access" not in raw:
            continue
        access = _access(report, raw["access"], f"{dataset_key}.access")
        if access is not None:
            datasets[name] = DatasetConfig(name=name, access=access)
    return datasets if len(datasets) == len(value) else None


def _access(report: Report, value: object, key: str) -> Access | None:
    if value == "public":
        return Access(public=True)
    if value is UNRESOLVED:
        return None
    if not isinstance(value, dict):
        report.add(key, 'must be "public" or {scopes: [...]} naming the scopes that may read it')
        return None
    raw = fields.section(report, value, key, required=("scopes",))
    if raw is None or "scopes" not in raw:
        return None
    scopes = raw["scopes"]
    if scopes is UNRESOLVED:
        return None
    if not isinstance(scopes, list) or not scopes:
        report.add(f"{key}.scopes", "must be a non-empty list of scopes")
        return None
    valid = True
    for index, scope in enumerate(scopes):
        if scope is UNRESOLVED:
            valid = False
        elif not isinstance(scope, str) or not _SCOPE.fullmatch(scope):
            report.add(
                f"{key}.scopes[{index}]",
                "must be a scope: printable ASCII without spaces, quotes or backslashes",
            )
            valid = False
    return Access(public=False, scopes=frozenset(scopes)) if valid else None
