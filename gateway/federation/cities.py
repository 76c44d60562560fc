"""The ``cities`` section: each municipality's id, name, kommunkod, timeout, concurrency cap
and catalogue."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.registry import AdapterRegistry
from gateway.federation import fields
from gateway.federation.adapter_spec import parse_adapter, parse_catalogue
from gateway.federation.datasets import parse_datasets
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import AdapterSpec, CityConfig, DatasetConfig
from gateway.federation.quantities import count
from gateway.federation.report import Report

_CITY_ID = re.compile(r"[a-z][a-z0-9-]*")
_KOMMUNKOD = re.compile(r"[0-9]{4}")
_CITY_KEYS = ("name", "kommunkod", "adapter", "datasets")
_OPTIONAL_CITY_KEYS = ("timeout_s", "max_concurrent", "catalogue")
CITY_KEYS = (*_CITY_KEYS, *_OPTIONAL_CITY_KEYS)
"""Every key a city may have, in the order messages list them."""


def parse_cities(
    report: Report, top: Mapping[str, Any], registry: AdapterRegistry, deadline_s: float
) -> dict[str, CityConfig]:
    """Every valid city of the top level's required, non-empty ``cities`` mapping."""
    if "cities" not in top:
        return {}  # reported as missing with the top level's keys
    value = top["cities"]
    if value is UNRESOLVED:
        return {}
    if not isinstance(value, dict):
        report.add("cities", "must be a mapping of city id to city")
        return {}
    if not value:
        report.add("cities", "must list at least one city")
        return {}
    cities: dict[str, CityConfig] = {}
    kommunkoder: dict[str, str] = {}
    for city_id, city_value in value.items():
        key = fields.join("cities", city_id)
        valid_id = isinstance(city_id, str) and _CITY_ID.fullmatch(city_id) is not None
        if not valid_id:
            report.add(
                key, 'city id must be lower-case ASCII: a letter, then letters, digits or "-"'
            )
        city = _parse_city(report, str(city_id), city_value, registry, deadline_s)
        if city is None or not valid_id:
            continue
        if city.kommunkod in kommunkoder:
            report.add(
                f"{key}.kommunkod", f"same as cities.{kommunkoder[city.kommunkod]}.kommunkod"
            )
            continue
        kommunkoder[city.kommunkod] = city_id
        cities[city_id] = city
    return cities


def _parse_city(
    report: Report, city_id: str, value: object, registry: AdapterRegistry, deadline_s: float
) -> CityConfig | None:
    key = f"cities.{city_id}"
    raw = fields.section(report, value, key, required=_CITY_KEYS, optional=_OPTIONAL_CITY_KEYS)
    if raw is None:
        return None
    name: str | None = None
    kommunkod: str | None = None
    adapter: AdapterSpec | None = None
    datasets: dict[str, DatasetConfig] | None = None
    if "name" in raw:
        name = fields.text(report, raw["name"], f"{key}.name")
    if "kommunkod" in raw:
        kommunkod = _kommunkod(report, raw["kommunkod"], f"{key}.kommunkod")
    if "adapter" in raw:
        adapter = parse_adapter(report, raw["adapter"], f"{key}.adapter", registry)
    if "datasets" in raw:
        datasets = parse_datasets(report, raw["datasets"], f"{key}.datasets")
    catalogue: AdapterSpec | None = None
    if "catalogue" in raw:
        catalogue = parse_catalogue(report, raw["catalogue"], f"{key}.catalogue", registry)
        if catalogue is None:
            return None
    timeout_s = None
    if "timeout_s" in raw:
        timeout_s = fields.seconds(report, raw["timeout_s"], f"{key}.timeout_s")
        if timeout_s is not None and timeout_s > deadline_s:
            report.add(f"{key}.timeout_s", f"must be at most gateway.deadline_s ({deadline_s:g})")
            timeout_s = None
        if timeout_s is None:
            return None
    max_concurrent = None
    if "max_concurrent" in raw:
        max_concurrent = count(report, raw["max_concurrent"], f"{key}.max_concurrent", minimum=1)
        if max_concurrent is None:
            return None
    if name is None or kommunkod is None or adapter is None or datasets is None:
        return None
    return CityConfig(
        city_id, name, kommunkod, adapter, datasets, timeout_s, catalogue, max_concurrent
    )


def _kommunkod(report: Report, value: object, key: str) -> str | None:
    if value is UNRESOLVED:
        return None
    if isinstance(value, str) and _KOMMUNKOD.fullmatch(value):
        return value
    number = isinstance(value, int) and not isinstance(value, bool)
    hint = " (quote it: YAML reads an unquoted code as a number)" if number else ""
    report.add(key, f'must be a 4-digit string such as "1280"{hint}')
    return None
