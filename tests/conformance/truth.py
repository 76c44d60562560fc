"""Ground truth for the conformance kit, read straight from citysim's world.

citysim computes every value from (seed, city, entity, time bucket); with its clock
frozen, what a simulated platform serves is exactly what these functions return,
in the common model (Smart Data Models names and units, UTC, WGS84).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from adapters.contract import CatalogueDataset, CatalogueDistribution, GeoPoint, SourceEntity
from citysim.cluster import SimThread
from citysim.dcat.records import Distribution, records
from citysim.lynx import DEMO_API_KEY
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld, Entity

DEMO = Path(__file__).resolve().parents[2] / "federation.yaml"
DEMO_LYNX_KEY = DEMO_API_KEY
CKAN_FORMATS = {
    "application/json": "JSON",
    "application/ld+json": "JSON-LD",
    "application/geo+json": "GeoJSON",
    "text/csv": "CSV",
}
"""Media type -> the format name a CKAN resource carries."""


def world(sim: SimThread, city_id: str) -> CityWorld:
    """The world a running city serves."""
    return sim.cluster.servers[city_id].world


def current(world: CityWorld, entity_type: str) -> tuple[Entity, ...]:
    """Every entity of ``entity_type`` in the current time bucket."""
    return tuple(world.entities(BY_TYPE[entity_type], world.bucket()))


def point(geometry: Mapping[str, Any]) -> GeoPoint:
    """A Point as is; a LineString: the mean of its distinct vertices."""
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Point":
        return GeoPoint(lat=coordinates[1], lon=coordinates[0])
    distinct = list(dict.fromkeys(tuple(c) for c in coordinates))
    return GeoPoint(
        lat=math.fsum(c[1] for c in distinct) / len(distinct),
        lon=math.fsum(c[0] for c in distinct) / len(distinct),
    )


def instant(text: str) -> datetime:
    """An ISO 8601 instant with Z as an aware datetime."""
    return datetime.fromisoformat(text)


def plain(value: Any) -> Any:
    """JSON-LD typed literals ``{"@type": ..., "@value": v}`` as ``v``."""
    if isinstance(value, dict):
        if "@value" in value:
            return value["@value"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def ngsi_ld(world: CityWorld, types: Iterable[str]) -> dict[str, list[SourceEntity]]:
    """What the NGSI-LD adapter makes of each type (observed_at: dateObserved, else observedAt)."""
    out: dict[str, list[SourceEntity]] = {}
    for entity_type in types:
        entities = []
        for e in current(world, entity_type):
            attributes = {k: plain(v) for k, v in e.values.items()}
            stamp = attributes.get("dateObserved", e.observed_at)
            entities.append(
                SourceEntity(e.id, entity_type, point(e.geometry), instant(stamp), attributes)
            )
        out[entity_type] = entities
    return out


def demo_options(kind: str, url: str) -> tuple[str, dict[str, Any]]:
    """``(city id, adapter options)`` of the first demo city of ``kind``, pointed at ``url``."""
    for city_id, city in _demo()["cities"].items():
        adapter = copy.deepcopy(city["adapter"])
        if adapter.pop("kind") == kind:
            adapter["url"] = url
            adapter.pop("mqtt_url", None)  # the demo's broker; a test gives its own
            if "api_key" in adapter:
                adapter["api_key"] = DEMO_LYNX_KEY
            return city_id, adapter
    raise LookupError(f"no city of kind {kind!r} in {DEMO}")


@functools.cache
def _demo() -> Any:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def demo_city(kind: str) -> str:
    """The id of the demo federation's first city of ``kind``."""
    return demo_options(kind, "http://unused")[0]


def sensorthings(world: CityWorld, options: Mapping[str, Any]) -> dict[str, list[SourceEntity]]:
    """What the SensorThings adapter makes of each mapped type (ids from ``id_property``)."""
    out: dict[str, list[SourceEntity]] = {}
    for entity_type, mapping in options["types"].items():
        attributes = [*mapping["properties"].values()]
        statics = dict(mapping.get("thing_properties", {}))
        out[entity_type] = [
            _entity(e, entity_type, attributes, statics) for e in current(world, entity_type)
        ]
    return out


def lynx(world: CityWorld, options: Mapping[str, Any]) -> dict[str, list[SourceEntity]]:
    """What the Lynx adapter makes of each mapped type (ids from ``id_meta``)."""
    out: dict[str, list[SourceEntity]] = {}
    for entity_type, mapping in options["types"].items():
        attributes = [*mapping.get("functions", {}).values(), *mapping.get("messages", {}).values()]
        out[entity_type] = [
            _entity(e, entity_type, attributes, {}) for e in current(world, entity_type)
        ]
    return out


def _entity(
    e: Entity, entity_type: str, attributes: Iterable[str], statics: Mapping[str, str]
) -> SourceEntity:
    values = {a: plain(e.values[a]) for a in attributes if a in e.values}
    values.update({a: plain(e.values[k]) for k, a in statics.items() if k in e.values})
    if "dateObserved" in e.values:  # from the observation time (adapters.sdk.models)
        values["dateObserved"] = plain(e.values["dateObserved"])
    return SourceEntity(e.id, entity_type, point(e.geometry), instant(e.observed_at), values)


def rest_json(world: CityWorld, options: Mapping[str, Any]) -> dict[str, list[SourceEntity]]:
    """What the REST/JSON adapter makes of each mapped type (attributes named as the model's)."""
    out: dict[str, list[SourceEntity]] = {}
    for entity_type, mapping in options["types"].items():
        names = list(mapping.get("attributes", {}))
        entities = []
        for e in current(world, entity_type):
            values = {a: plain(e.values[a]) for a in names if a in e.values}
            stamp = plain(e.values["dateObserved"]) if "dateObserved" in e.values else e.observed_at
            entities.append(
                SourceEntity(e.id, entity_type, point(e.geometry), instant(stamp), values)
            )
        out[entity_type] = entities
    return out


def demo_catalogue_city(kind: str) -> str:
    """The id of the demo federation's first city whose catalogue is of ``kind``."""
    for city_id, city in _demo()["cities"].items():
        if city.get("catalogue", {}).get("kind") == kind:
            return str(city_id)
    raise LookupError(f"no catalogue of kind {kind!r} in {DEMO}")


def dcat(sim: SimThread, city_id: str) -> list[CatalogueDataset]:
    """What a DCAT-AP-SE adapter makes of the city's catalogue (ids are the datasets' IRIs)."""
    server = sim.cluster.servers[city_id]
    base = server.base_url
    return [
        CatalogueDataset(
            id=f"{base}/dcat/datasets/{r.slug}",
            title=r.title,
            description=r.description,
            distributions=tuple(_distribution(base, d, d.media_type) for d in r.distributions),
            keywords=r.keywords,
            publisher=f"{server.city.name} kommun",
            modified=r.modified,
        )
        for r in records(server.city, server.world.seed)
    ]


def ckan(sim: SimThread, city_id: str) -> list[CatalogueDataset]:
    """What a CKAN adapter makes of the city's packages (CKAN ids, formats and timestamps)."""
    server = sim.cluster.servers[city_id]
    base = server.base_url
    return [
        CatalogueDataset(
            id=r.uuid(server.city),
            title=r.title,
            description=r.description,
            distributions=tuple(
                _distribution(base, d, CKAN_FORMATS.get(d.media_type, d.media_type))
                for d in r.distributions
            ),
            keywords=r.keywords,
            publisher=f"{server.city.name} kommun",
            modified=f"{r.modified}T08:00:00.000000",
        )
        for r in records(server.city, server.world.seed)
    ]


def _distribution(base: str, d: Distribution, fmt: str) -> CatalogueDistribution:
    url = d.path if "://" in d.path else base + d.path
    return CatalogueDistribution(access_url=url, format=fmt, title=d.title)
