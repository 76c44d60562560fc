"""A city's ``datasets``: the entity types it shares, each with its ``access`` policy
(and, optionally, how long its answers are cached: ``cache``)."""

from __future__ import annotations

import re

from gateway.federation import fields
from gateway.federation.access import parse_access
from gateway.federation.caching import parse_dataset_cache
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import DatasetConfig
from gateway.federation.report import Report

_ENTITY_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def parse_datasets(report: Report, value: object, key: str) -> dict[str, DatasetConfig] | None:
    """Every dataset, or None if any is wrong (each reported).

    A dataset that is not listed is not shared: the policy denies it to everyone.
    """
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
        raw = fields.section(
            report, dataset_value, dataset_key, required=("access",), optional=("cache",)
        )
        if raw is None or "access" not in raw:
            continue
        access = parse_access(report, raw["access"], f"{dataset_key}.access")
        cache = (
            parse_dataset_cache(report, raw["cache"], f"{dataset_key}.cache")
            if "cache" in raw
            else None
        )
        if access is not None:
            datasets[name] = DatasetConfig(name=name, access=access, cache=cache)
    return datasets if len(datasets) == len(value) else None
