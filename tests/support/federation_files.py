"""Write federation files that point at running simulated platforms."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITIES = ROOT / "citysim" / "data" / "municipalities.csv"

PUBLIC = [
    "WeatherObserved",
    "AirQualityObserved",
    "WaterQualityObserved",
    "TrafficFlowObserved",
    "Beach",
    "Device",
]


def municipalities() -> list[dict[str, str]]:
    """The 18 municipalities (id, name, kommunkod, county, lat, lon) in csv order."""
    with MUNICIPALITIES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_federation(
    path: Path,
    urls: Mapping[str, str],
    *,
    gateway: Mapping[str, Any] | None = None,
    adapter_options: Mapping[str, Any] | None = None,
    auth: Mapping[str, Any] | None = None,
    audit: Mapping[str, Any] | None = None,
    datasets: Callable[[str], Mapping[str, Any]] | None = None,
) -> Path:
    """A federation of the cities in ``urls`` (id -> NGSI-LD base URL), demo datasets.

    ``datasets(city_id)`` replaces a city's datasets (entity type -> ``{access: ...}``);
    ``auth`` and ``audit`` become those sections of the file.
    """
    names = {m["id"]: m for m in municipalities()}
    cities: dict[str, Any] = {}
    for city_id, url in urls.items():
        shared = datasets(city_id) if datasets is not None else demo_datasets()
        cities[city_id] = {
            "name": names[city_id]["name"],
            "kommunkod": names[city_id]["kommunkod"],
            "adapter": {"kind": "ngsi-ld", "url": url, **(adapter_options or {})},
            "datasets": dict(shared),
        }
    document: dict[str, Any] = {"cities": cities}
    if gateway:
        document["gateway"] = dict(gateway)
    if auth:
        document["auth"] = dict(auth)
    if audit:
        document["audit"] = dict(audit)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def demo_datasets() -> dict[str, Any]:
    """What every city of the demo shares: six public types, water consumption by scope."""
    shared: dict[str, Any] = {name: {"access": "public"} for name in PUBLIC}
    shared["WaterConsumptionObserved"] = {"access": {"scopes": ["caap:utility:read"]}}
    return shared
