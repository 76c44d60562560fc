"""Values are a pure function of (seed, city, entity, time bucket): the same bytes every run."""

from __future__ import annotations

import itertools

import aiohttp
import orjson

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import NOW, ManualClock, Ngsi, link

QUERIES = [
    {"type": "WeatherObserved,AirQualityObserved", "limit": "50"},
    {"type": "TrafficFlowObserved", "options": "keyValues", "q": "intensity>=0"},
    {"type": "WaterConsumptionObserved,Device,Beach", "limit": "100", "format": "concise"},
]


async def answers(session: aiohttp.ClientSession, settings: SimSettings) -> list[bytes]:
    async with SimCluster(settings) as cluster:
        ngsi = Ngsi(cluster, session)
        return [(await ngsi.get(params=q, headers=link())).body for q in QUERIES]


async def test_same_seed_and_clock_give_identical_bytes(session: aiohttp.ClientSession) -> None:
    first = await answers(session, SimSettings(seed=3, cities=("malmo",), clock=ManualClock()))
    second = await answers(session, SimSettings(seed=3, cities=("malmo",), clock=ManualClock()))
    assert first == second
    other_seed = await answers(session, SimSettings(seed=4, cities=("malmo",), clock=ManualClock()))
    assert other_seed != first


async def test_values_hold_within_a_bucket_and_change_with_the_next(
    ngsi: Ngsi, clock: ManualClock
) -> None:
    query = {"type": "WeatherObserved", "options": "keyValues", "limit": "100"}
    before = (await ngsi.get(params=query, headers=link())).body
    clock.now = NOW + 29.0  # 10:00:59, still the bucket of 10:00
    assert (await ngsi.get(params=query, headers=link())).body == before
    clock.now = NOW + 30.0  # 10:01:00, the next bucket
    after = await ngsi.entities(**query)
    earlier = {e["id"]: e for e in orjson.loads(before)}
    assert [e["id"] for e in after] == list(earlier), "the same entities, in the same order"
    assert all(e["location"] == earlier[e["id"]]["location"] for e in after), "they do not move"
    assert all(e["dateObserved"] != earlier[e["id"]]["dateObserved"] for e in after)
    assert [e["temperature"] for e in after] != [e["temperature"] for e in earlier.values()]


async def test_observations_interleave_across_cities(ngsi: Ngsi) -> None:
    stamps = []
    for city in ("malmo", "lund"):
        for entity in await ngsi.entities(city, type="WeatherObserved", options="keyValues"):
            stamps.append((entity["dateObserved"]["@value"], city))
    ordered = [city for _, city in sorted(stamps)]
    assert len({stamp for stamp, _ in stamps}) == 24
    switches = sum(a != b for a, b in itertools.pairwise(ordered))
    assert switches > 4, "a global order by observation time mixes the cities"
    assert all("2026-11-25T09:59:00" < stamp <= "2026-11-25T10:00:00.000Z" for stamp, _ in stamps)
