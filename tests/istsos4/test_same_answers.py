"""The same GraphQL questions through a one-city federation on a real istSOS4 and on citysim's
istSOS4 dialect serving the same world: the answers must be equal, field by field.

Both gateways are the real app; the city is Uppsala, of kind ``sensorthings``, mapped as
in the demo. Bounds fall between the milliseconds both servers store and the whole
seconds they report, and some are written with a ``+01:00`` offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from citysim.cluster import SimThread
from tests.conformance import truth
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.istsos4_session import IstSOS4World
from tests.support.istsos4_world import CITY, NOW, sim_settings

CET = timezone(timedelta(hours=1))
NODE = "id observedAt location { lat lon } attributes"
WEATHER_FIELDS = (
    "temperature relativeHumidity atmosphericPressure windSpeed windDirection precipitation "
    "snowHeight illuminance"
)
AIR_FIELDS = "no2 pm10 pm25 o3 co so2 airQualityIndex airQualityLevel temperature relativeHumidity"


def federation(path: Path, url: str) -> Path:
    """A federation of Uppsala alone, its SensorThings server at ``url``."""
    _, options = truth.demo_options("sensorthings", url)
    return write_federation(
        path,
        {CITY: url},
        gateway={"timeout_s": 20.0, "deadline_s": 40.0},
        adapter_options={"kind": "sensorthings", **options},
    )


@pytest.fixture(scope="module")
def gateways(
    istsos4: IstSOS4World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GatewayServer, GatewayServer]]:
    folder = tmp_path_factory.mktemp("same-answers")
    with SimThread(sim_settings("istsos4")) as sim:
        real = federation(folder / "istsos4.yaml", istsos4.root)
        simulated = federation(folder / "citysim.yaml", sim.urls[CITY])
        with GatewayServer(str(real)) as on_istsos4, GatewayServer(str(simulated)) as on_sim:
            yield on_istsos4, on_sim


def ask(gateway: GatewayServer, query: str, **variables: Any) -> Any:
    response = httpx.post(
        f"{gateway.url}/graphql", json={"query": query, "variables": variables}, timeout=60
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert "errors" not in body, body["errors"]
    for coverage in _coverages(body["data"]):
        assert coverage["status"] == "OK", coverage
    return body["data"]


def _coverages(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "coverage":
                yield from value
            else:
                yield from _coverages(value)
    elif isinstance(data, list):
        for item in data:
            yield from _coverages(item)


def same(gateways: tuple[GatewayServer, GatewayServer], query: str, **variables: Any) -> Any:
    """Ask both; the answers must be equal. Returns istSOS4's."""
    on_istsos4, on_sim = (ask(g, query, **variables) for g in gateways)
    assert on_istsos4 == on_sim
    return on_istsos4


def entities_query(entity_type: str = "WeatherObserved") -> str:
    return f"""query($filter: EntityFilter, $first: Int, $after: String) {{
      entities(type: "{entity_type}", filter: $filter, first: $first, after: $after) {{
        nodes {{ {NODE} }} totalCount pageInfo {{ hasNextPage endCursor }}
        coverage {{ city {{ id }} status count message }} }} }}"""


def observed_moments(istsos4: IstSOS4World) -> list[datetime]:
    """The stored (millisecond) observation times of the weather stations, in order."""
    return sorted(
        truth.instant(e.observed_at) for e in truth.current(istsos4.world, "WeatherObserved")
    )


@pytest.mark.parametrize("entity_type", ["WeatherObserved", "AirQualityObserved", "Device"])
def test_all_entities(gateways: tuple[GatewayServer, GatewayServer], entity_type: str) -> None:
    answer = same(gateways, entities_query(entity_type), first=1000)
    assert answer["entities"]["totalCount"] == len(answer["entities"]["nodes"]) > 0


def test_paged_with_first_and_after(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        answer = same(gateways, entities_query(), first=4, after=after)["entities"]
        pages.append([n["id"] for n in answer["nodes"]])
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    ids = [i for page in pages for i in page]
    assert len(pages) > 1
    assert len(ids) == len(set(ids))


def test_near_and_within(
    gateways: tuple[GatewayServer, GatewayServer], istsos4: IstSOS4World
) -> None:
    located = [truth.point(e.geometry) for e in truth.current(istsos4.world, "WeatherObserved")]
    centre = located[0]
    near = {"near": {"lat": centre.lat, "lon": centre.lon, "maxDistance": 1500.0}}
    found = same(gateways, entities_query(), filter=near, first=1000)["entities"]["nodes"]
    assert 0 < len(found) < len(located)
    lats = sorted(p.lat for p in located)
    lons = sorted(p.lon for p in located)
    box = {"minLat": lats[1], "minLon": lons[1], "maxLat": lats[-2], "maxLon": lons[-2]}
    found = same(gateways, entities_query(), filter={"within": box}, first=1000)
    assert 0 < len(found["entities"]["nodes"]) < len(located)


@pytest.mark.parametrize("offset_ms", [-630, -1, 0, 1, 370, 999])
def test_observed_after_and_before_at_sub_second_bounds(
    gateways: tuple[GatewayServer, GatewayServer], istsos4: IstSOS4World, offset_ms: int
) -> None:
    moments = observed_moments(istsos4)
    middle = moments[len(moments) // 2] + timedelta(milliseconds=offset_ms)
    for bound in (middle.astimezone(UTC), middle.astimezone(CET)):
        text = bound.isoformat(timespec="milliseconds")
        for window in ({"observedAfter": text}, {"observedBefore": text}):
            same(gateways, entities_query(), filter=window, first=1000)


def test_typed_fields(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    weather = f"{{ weatherObserved(first: 1000) {{ nodes {{ id {WEATHER_FIELDS} }} }} }}"
    nodes = same(gateways, weather)["weatherObserved"]["nodes"]
    assert nodes
    assert all(n["temperature"] is not None for n in nodes)
    air = f"{{ airQualityObserved(first: 1000) {{ nodes {{ id {AIR_FIELDS} }} }} }}"
    assert same(gateways, air)["airQualityObserved"]["nodes"]


HISTORY = """query($from: DateTime!, $to: DateTime, $lastN: Int, $aggregate: HistoryAggregate) {
  history(type: "WeatherObserved", from: $from, to: $to, attrs: ["temperature", "windSpeed"],
          lastN: $lastN, aggregate: $aggregate, first: 100) {
    nodes { id series { attribute points { at value until } } }
    truncated coverage { city { id } status count message } } }"""


def test_history_last_n_and_an_aggregate(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    window = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
    last = same(gateways, HISTORY, lastN=3, **window)["history"]["nodes"]
    assert last
    assert all(len(s["points"]) == 3 for n in last for s in n["series"])
    averaged = same(gateways, HISTORY, aggregate={"method": "AVG", "period": "PT10M"}, **window)
    assert averaged["history"]["nodes"]


def test_statistics(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    query = """{ statistics(type: "WeatherObserved", attribute: "temperature") {
        groups { count min max mean } coverage { city { id } status count message } } }"""
    (group,) = same(gateways, query)["statistics"]["groups"]
    assert group["count"] > 0


def test_discovery_is_the_same(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    """ADR 0020: ObservedProperties with a Datastream's unit, Things counted by $count."""
    on_istsos4, on_sim = gateways
    query = "{ types { name readable count cities { id } attributes { name unit } } }"
    real = ask(on_istsos4, query)
    assert real == ask(on_sim, query)
    weather = next(t for t in real["types"] if t["name"] == "WeatherObserved")
    assert weather["count"]
    assert {"name": "temperature", "unit": "CEL"} in weather["attributes"]


def test_an_entity_by_id_is_the_same(gateways: tuple[GatewayServer, GatewayServer]) -> None:
    """ADR 0020: the Thing by its id property, expanded as for a query."""
    on_istsos4, on_sim = gateways
    listed = ask(on_sim, '{ entities(type: "WeatherObserved", first: 2) { nodes { id } } }')
    ids = [n["id"] for n in listed["entities"]["nodes"]]
    assert ids
    query = 'query($id: ID!) { entity(city: "' + CITY + '", id: $id) { ' + NODE + " } }"
    for entity_id in ids:
        real = ask(on_istsos4, query, id=entity_id)
        assert real["entity"] is not None
        assert real == ask(on_sim, query, id=entity_id)
