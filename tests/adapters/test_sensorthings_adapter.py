"""SensorThingsAdapter against citysim's SensorThings servers (and a hostile one), over HTTP.

Three cities report temperature, pressure and wind in different units (°F, K,
°C; Pa, hPa; km/h, m/s); the adapter must give the data model's units, which
are the world's values.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from adapters.contract import AdapterContext, Aggregation, HistoryQuery, SourceQuery
from adapters.errors import ConfigError, UnsupportedQuery, UpstreamProtocolError
from adapters.sdk.client import PlatformClient
from adapters.sensorthings import SensorThingsAdapter
from adapters.sensorthings.pages import expanded
from citysim.cluster import SimSettings, SimThread
from citysim.sensorthings.vocabulary import QUANTITIES, unit_for
from citysim.world.catalog import BY_TYPE
from tests.conformance import truth

SEED, PER_TYPE, NOW = 1, 5, 1_795_000_000.0
CITIES = ("orebro", "katrineholm", "stockholm")
LOG = logging.getLogger("test.sensorthings")
WEATHER = {"air temperature", "air pressure", "wind speed", "relative humidity"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=SEED, entities_per_type=PER_TYPE, cities=CITIES, clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


Make = Callable[..., SensorThingsAdapter]


@pytest.fixture
async def make(sim: SimThread) -> AsyncIterator[Make]:
    made: list[SensorThingsAdapter] = []

    def factory(
        city: str = CITIES[0], url: str | None = None, **changes: Any
    ) -> SensorThingsAdapter:
        _, options = truth.demo_options("sensorthings", url or sim.urls[city])
        adapter = SensorThingsAdapter(
            {**options, **changes}, AdapterContext(city_id=city, logger=LOG, timeout_s=5)
        )
        made.append(adapter)
        return adapter

    yield factory
    for adapter in made:
        await adapter.aclose()


def world(sim: SimThread, city: str, entity_type: str = "WeatherObserved") -> dict[str, Any]:
    return {e.id: e for e in truth.current(truth.world(sim, city), entity_type)}


def test_the_cities_report_in_many_units() -> None:
    quantities = [q for q in QUANTITIES["WeatherObserved"] if q.name in WEATHER]
    symbols = {unit_for(q, SEED, city).symbol for q in quantities for city in CITIES}
    assert {"°F", "K", "°C", "Pa", "hPa", "km/h", "m/s", "%"} <= symbols


@pytest.mark.parametrize("city", CITIES)
async def test_values_come_in_the_data_models_units(sim: SimThread, make: Make, city: str) -> None:
    result = await make(city).fetch_entities(SourceQuery("WeatherObserved"))
    expected = world(sim, city)
    assert {e.id for e in result.entities} == set(expected)
    for entity in result.entities:
        values = expected[entity.id].values
        for name in ("temperature", "atmosphericPressure", "windSpeed", "relativeHumidity"):
            assert entity.attributes[name] == pytest.approx(values[name], rel=1e-12), name


async def test_a_configured_unit_wins_over_unit_of_measurement(sim: SimThread, make: Make) -> None:
    _, options = truth.demo_options("sensorthings", "http://x")
    weather = {**options["types"]["WeatherObserved"], "units": {"air temperature": "°C"}}
    adapter = make("orebro", types={"WeatherObserved": weather})
    result = await adapter.fetch_entities(SourceQuery("WeatherObserved", attrs=("temperature",)))
    fahrenheit = {e.id: e.values["temperature"] * 9 / 5 + 32 for e in world(sim, "orebro").values()}
    for entity in result.entities:  # orebro writes °F: taken as °C, nothing is converted
        assert entity.attributes["temperature"] == pytest.approx(fahrenheit[entity.id])


async def test_a_unit_that_cannot_be_converted_is_left_out_and_told_once(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    mapping = {
        "things": "properties/category eq 'water-quality'",
        "properties": {"water flow": "temperature"},
    }
    adapter = make(types={"WaterQualityObserved": mapping})
    caplog.set_level(logging.WARNING, logger=LOG.name)
    for _ in range(2):
        result = await adapter.fetch_entities(SourceQuery("WaterQualityObserved"))
        assert len(result.entities) == PER_TYPE
        assert all("temperature" not in e.attributes for e in result.entities)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "cannot convert m³/s" in warnings[0]


async def test_pages_are_followed_by_next_link(
    sim: SimThread, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    result = await make(page_size=2).fetch_entities(SourceQuery("WeatherObserved", limit=100))
    assert [e.id for e in result.entities] == sorted(world(sim, CITIES[0]))
    assert (result.total_count, result.truncated) == (PER_TYPE, False)
    pages = [r for r in caplog.records if r.getMessage().startswith("GET /v1.1/Things")]
    assert len(pages) == math.ceil(PER_TYPE / 2)


async def test_ids_default_to_the_things_iot_id(make: Make) -> None:
    _, options = truth.demo_options("sensorthings", "http://x")
    weather = {k: v for k, v in options["types"]["WeatherObserved"].items() if k != "id_property"}
    result = await make(types={"WeatherObserved": weather}).fetch_entities(
        SourceQuery("WeatherObserved")
    )
    assert [e.id for e in result.entities] == [
        f"urn:ngsi-ld:WeatherObserved:{n}" for n in range(1, PER_TYPE + 1)
    ]


async def test_observed_properties_can_be_matched_by_definition(sim: SimThread, make: Make) -> None:
    mapping = {
        "things": "properties/category eq 'weather'",
        "properties": {"https://smartdatamodels.org/temperature": "temperature"},
    }
    adapter = make(match="definition", types={"WeatherObserved": mapping})
    result = await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    assert {e.id: set(e.attributes) for e in result.entities} == {
        f"urn:ngsi-ld:WeatherObserved:{n}": {"temperature", "dateObserved"}
        for n in range(1, PER_TYPE + 1)
    }


async def test_an_unmapped_type_is_unsupported(make: Make) -> None:
    _, options = truth.demo_options("sensorthings", "http://x")
    adapter = make(types={"WeatherObserved": options["types"]["WeatherObserved"]})
    with pytest.raises(UnsupportedQuery, match="mapped: WeatherObserved"):
        await adapter.fetch_entities(SourceQuery("Beach"))


async def test_history_is_the_observations_of_the_window(sim: SimThread, make: Make) -> None:
    city_world = truth.world(sim, CITIES[0])
    model = BY_TYPE["WeatherObserved"]
    buckets = range(city_world.bucket() - 4, city_world.bucket() + 1)
    first = city_world.entities(model, buckets[0])[0]
    last = city_world.entities(model, buckets[-1])[0]
    after = truth.instant(first.observed_at)
    query = HistoryQuery(
        "WeatherObserved",
        after=after,
        before=truth.instant(last.observed_at) + timedelta(milliseconds=1),
        entity_id=first.id,
        attrs=("temperature", "windSpeed"),
    )
    adapter = make()
    (history,) = (await adapter.fetch_history(query)).entities
    assert (history.id, set(history.series)) == (first.id, {"temperature", "windSpeed"})
    expected = [city_world.entities(model, b)[0].values["temperature"] for b in buckets]
    assert [p.value for p in history.series["temperature"]] == pytest.approx(expected)
    newest = await adapter.fetch_history(HistoryQuery(**{**vars_of(query), "last_n": 2}))
    assert [p.value for p in newest.entities[0].series["temperature"]] == pytest.approx(
        expected[-2:]
    )
    mean = await adapter.fetch_history(
        HistoryQuery(**{**vars_of(query), "aggregation": Aggregation("avg")})
    )
    (point,) = mean.entities[0].series["temperature"]
    assert point.value == pytest.approx(sum(expected) / len(expected))
    assert (point.at, point.until) == (query.after, query.before)


def vars_of(query: HistoryQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in HistoryQuery.__dataclass_fields__}


async def test_a_next_link_to_another_host_is_refused_and_not_followed(make: Make) -> None:
    visits: list[str] = []

    async def elsewhere(request: web.Request) -> web.Response:
        visits.append(request.path_qs)
        return web.json_response({"value": []})

    async with served(elsewhere) as other:

        async def page(request: web.Request) -> web.Response:
            link = f"{other}/v1.1/Things?$skip=1"
            thing = {"@iot.id": 1, "properties": {"ngsiId": "urn:x:1"}, "Datastreams": []}
            return web.json_response({"value": [thing], "@iot.nextLink": link})

        async with served(page) as server:
            adapter = make(url=server, page_size=1)
            with pytest.raises(UpstreamProtocolError, match="another host"):
                await adapter.fetch_entities(SourceQuery("WeatherObserved", limit=10))
    assert visits == []


class served:
    """A loopback server answering every GET with ``handler``; its base URL."""

    def __init__(self, handler: Callable[[web.Request], Any]) -> None:
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", handler)
        self.runner = web.AppRunner(self.app, access_log=None)

    async def __aenter__(self) -> str:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"types": {}}, "types"),
        ({"types": {"WeatherObserved": {"properties": {}}}}, "types.WeatherObserved.properties"),
        ({"types": {"Weather Observed": {"properties": {"a": "b"}}}}, "types.Weather Observed"),
        ({"types": {"T": {"properties": {"a": "b"}, "colour": 1}}}, "types.T.colour"),
        ({"types": {"T": {"properties": {"a": "b c"}}}}, "types.T.properties.a"),
        (
            {"types": {"T": {"properties": {"a": "b"}, "units": {"a": "furlong"}}}},
            "types.T.units.a",
        ),
        ({"types": {"T": {"properties": {"a": "b"}, "units": {"z": "K"}}}}, "types.T.units.z"),
        ({"headers": {"Accept": "text/html"}}, "headers.Accept"),
        ({"page_size": 0}, "page_size"),
        ({"match": "label"}, "match"),
        ({"url": "https://frost.example.se/v1.1?x=1"}, "url"),
    ],
)
def test_config_problems_name_their_key(change: dict[str, Any], key: str) -> None:
    _, options = truth.demo_options("sensorthings", "https://frost.example.se")
    with pytest.raises(ConfigError) as info:
        SensorThingsAdapter.validate_config({**options, **change})
    assert info.value.key == key


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://frost.example.se", "https://frost.example.se/v1.1"),
        ("https://frost.example.se/FROST-Server/", "https://frost.example.se/FROST-Server/v1.1"),
        ("https://frost.example.se/sta/v1.0", "https://frost.example.se/sta/v1.0"),
    ],
)
def test_the_service_root_gets_its_version(url: str, root: str) -> None:
    _, options = truth.demo_options("sensorthings", url)
    config = SensorThingsAdapter.validate_config({**options, "headers": {"X-Key": "s3cr3t"}})
    assert str(config.url) == root
    assert "s3cr3t" not in repr(config)


async def test_expanded_collections_are_followed_through_their_next_links(sim: SimThread) -> None:
    context = AdapterContext(city_id=CITIES[0], logger=LOG)
    client = PlatformClient(context, URL(f"{sim.urls[CITIES[0]]}/v1.1"))
    try:
        url = URL(f"{sim.urls[CITIES[0]]}/v1.1/Things(1)").with_query(
            {"$expand": "Datastreams($select=@iot.id;$top=2)"}
        )
        thing = (await client.get_json(url)).data
        assert len(thing["Datastreams"]) == 2
        assert "Datastreams@iot.nextLink" in thing
        everything = await expanded(client, thing, "Datastreams", url)
        count = len(QUANTITIES["WeatherObserved"])
        assert [d["@iot.id"] for d in everything] == list(range(1, count + 1))
        assert len(await expanded(client, thing, "Datastreams", url, most=3)) == 3
    finally:
        await client.aclose()


def test_whole_measurements_are_real_numbers_whatever_the_server_writes() -> None:
    """istSOS4 writes 79 where FROST writes 79.0; a count stays an integer."""
    from adapters.sensorthings.config import TypeMapping
    from adapters.sensorthings.mapping import Mapper

    om = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
    mapper = Mapper(
        "WeatherObserved",
        TypeMapping(properties={"air temperature": "temperature", "count": "count"}),
        "name",
    )
    measured = {"observationType": om + "OM_Measurement", "unitOfMeasurement": {"symbol": "°C"}}
    counted = {"observationType": om + "OM_CountObservation", "unitOfMeasurement": {}}
    value = mapper.value("air temperature", "temperature", 79, measured)
    assert (value, type(value)) == (79.0, float)
    count = mapper.value("count", "count", 7, counted)
    assert (count, type(count)) == (7, int)
