"""Discovery and lookup of every platform kind against citysim, over loopback HTTP.

One city per kind, configured as the demo federation configures it: each kind's
adapter says which demo types it holds, how many, with which attributes in which
units (the same UN/CEFACT code for the same attribute, whatever the platform), and
fetches one entity by id exactly as its query gives it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.contract import AdapterContext, SourceEntity, SourceQuery
from adapters.discovery import Discovering, DiscoveryQuery, TypeInfo
from adapters.lookup import Lookup, LookupQuery
from adapters.lynx import LynxAdapter
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.rest_json import RestJsonAdapter
from adapters.sensorthings import SensorThingsAdapter
from citysim.cluster import SimSettings, SimThread

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_795_000_000.0
PER_TYPE = 6
DEMO_TYPES = (
    "WeatherObserved",
    "AirQualityObserved",
    "WaterQualityObserved",
    "TrafficFlowObserved",
    "Beach",
    "Device",
    "WaterConsumptionObserved",
)
KINDS: dict[str, type[Any]] = {
    "stockholm": NgsiLdAdapter,
    "malmo": NgsiLdAdapter,
    "uppsala": SensorThingsAdapter,
    "linkoping": SensorThingsAdapter,
    "eskilstuna": LynxAdapter,
    "helsingborg": RestJsonAdapter,
}
_DEFAULT = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")


def demo_section(city: str, url: str) -> dict[str, Any]:
    """The demo federation's adapter section of ``city``, pointed at ``url``."""
    text = _DEFAULT.sub(lambda m: m.group(1), (ROOT / "federation.yaml").read_text("utf-8"))
    section = dict(yaml.safe_load(text)["cities"][city]["adapter"])
    section.pop("kind")
    section["url"] = url
    return section


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimThread]:
    settings = SimSettings(
        seed=5, entities_per_type=PER_TYPE, cities=tuple(KINDS), clock=lambda: NOW
    )
    with SimThread(settings) as running:
        yield running


@pytest.fixture
async def adapters(cluster: SimThread) -> AsyncIterator[dict[str, Any]]:
    made = {
        city: kind(
            demo_section(city, cluster.urls[city]), AdapterContext(city, logging.getLogger("t"))
        )
        for city, kind in KINDS.items()
    }
    yield made
    for adapter in made.values():
        await adapter.aclose()


async def _discover(adapter: Any, types: tuple[str, ...] = DEMO_TYPES) -> dict[str, TypeInfo]:
    assert isinstance(adapter, Discovering)
    result = await adapter.discover(DiscoveryQuery(types))
    return {t.name: t for t in result.types}


@pytest.mark.parametrize("city", sorted(KINDS))
async def test_every_kind_describes_every_demo_type_with_counts(
    adapters: dict[str, Any], city: str
) -> None:
    found = await _discover(adapters[city])
    assert set(found) == set(DEMO_TYPES)
    assert {t.name: t.count for t in found.values()} == dict.fromkeys(DEMO_TYPES, PER_TYPE)


@pytest.mark.parametrize("city", sorted(KINDS))
async def test_attributes_are_what_the_query_gives_in_the_units_it_gives(
    adapters: dict[str, Any], city: str
) -> None:
    adapter = adapters[city]
    found = await _discover(adapter, ("WeatherObserved", "AirQualityObserved"))
    weather = {a.name: a.unit for a in found["WeatherObserved"].attributes}
    assert weather["temperature"] == "CEL"
    assert weather["relativeHumidity"] == "C62"
    assert weather["atmosphericPressure"] == "A97"
    assert found["AirQualityObserved"].attributes
    assert {a.name: a.unit for a in found["AirQualityObserved"].attributes}["no2"] == "GQ"
    rows = (await adapter.fetch_entities(SourceQuery("WeatherObserved"))).entities
    served = {name for row in rows for name in row.attributes}
    assert served <= set(weather), served - set(weather)


@pytest.mark.parametrize("city", sorted(KINDS))
async def test_only_the_asked_types_are_described(adapters: dict[str, Any], city: str) -> None:
    found = await _discover(adapters[city], ("Beach", "NoSuchType"))
    assert set(found) == {"Beach"}


LOOKUP = [c for c, kind in KINDS.items() if issubclass(kind, (NgsiLdAdapter, SensorThingsAdapter))]


@pytest.mark.parametrize("city", LOOKUP)
async def test_lookup_gives_the_entity_as_the_query_gives_it(
    adapters: dict[str, Any], city: str
) -> None:
    adapter = adapters[city]
    assert isinstance(adapter, Lookup)
    for entity_type in ("WeatherObserved", "WaterConsumptionObserved"):
        rows = (await adapters[city].fetch_entities(SourceQuery(entity_type))).entities
        wanted: SourceEntity = rows[len(rows) // 2]
        got = await adapter.fetch_entity(LookupQuery(wanted.id, DEMO_TYPES))
        assert got == wanted


@pytest.mark.parametrize("city", LOOKUP)
async def test_lookup_of_an_unknown_or_unasked_id_is_none(
    adapters: dict[str, Any], city: str
) -> None:
    adapter = adapters[city]
    missing = f"urn:ngsi-ld:WeatherObserved:{city}-9999"
    assert await adapter.fetch_entity(LookupQuery(missing, DEMO_TYPES)) is None
    known = f"urn:ngsi-ld:WeatherObserved:{city}-0001"
    assert await adapter.fetch_entity(LookupQuery(known, ("Beach",))) is None
    assert (await adapter.fetch_entity(LookupQuery(known, DEMO_TYPES))) is not None


@pytest.mark.parametrize("city", [c for c in KINDS if c not in LOOKUP])
def test_kinds_without_a_lookup_endpoint_leave_it_to_the_gateway(
    adapters: dict[str, Any], city: str
) -> None:
    assert not isinstance(adapters[city], Lookup)
