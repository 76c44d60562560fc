"""The simulated SensorThings API 1.1 over real HTTP: paths, query options, filters, errors.

The clock is frozen, so the world and the NGSI-LD broker of the same city give
the values the SensorThings server must agree with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from citysim.cluster import SimSettings, SimThread
from citysim.sensorthings.graph import HISTORY
from citysim.sensorthings.vocabulary import QUANTITIES, TYPES, unit_for
from citysim.world.catalog import BY_TYPE

CITY = "malmo"
PER_TYPE = 6
SEED = 11
NOW = 1_795_000_000.0
BOX = "POLYGON((12.9 55.5, 13.1 55.5, 13.1 55.7, 12.9 55.7, 12.9 55.5))"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=SEED, entities_per_type=PER_TYPE, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def sta(sim: SimThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sim.urls[CITY]}/v1.1", timeout=10) as client:
        yield client


def get(sta: httpx.Client, path: str, **params: str) -> Any:
    response = sta.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def error(sta: httpx.Client, path: str, status: int, **params: str) -> str:
    response = sta.get(path, params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["type"]) == (status, "error")
    return str(body["message"])


def world_entities(sim: SimThread, entity_type: str) -> Any:
    world = sim.cluster.servers[CITY].world
    return world.entities(BY_TYPE[entity_type], world.bucket())


def test_the_service_root_lists_the_entity_sets(sta: httpx.Client) -> None:
    root = get(sta, "")
    names = [s["name"] for s in root["value"]]
    assert names == [
        "Things",
        "Locations",
        "HistoricalLocations",
        "Datastreams",
        "Sensors",
        "ObservedProperties",
        "Observations",
        "FeaturesOfInterest",
    ]
    assert all(s["url"].endswith(f"/v1.1/{s['name']}") for s in root["value"])
    assert any(c.endswith("/req/request-data") for c in root["serverSettings"]["conformance"])


def test_next_links_walk_every_thing_once(sta: httpx.Client) -> None:
    page = get(sta, "/Things", **{"$top": "4", "$count": "true", "$select": "@iot.id"})
    assert page["@iot.count"] == len(TYPES) * PER_TYPE
    seen = [t["@iot.id"] for t in page["value"]]
    while "@iot.nextLink" in page:
        response = sta.get(page["@iot.nextLink"])
        page = response.json()
        seen += [t["@iot.id"] for t in page["value"]]
    assert seen == list(range(1, len(TYPES) * PER_TYPE + 1))


def test_skip_top_and_select(sta: httpx.Client) -> None:
    page = get(sta, "/Things", **{"$skip": "3", "$top": "2", "$select": "name,properties"})
    assert [set(t) for t in page["value"]] == [{"name", "properties"}] * 2
    assert "@iot.count" not in page
    things = get(sta, "/Things", **{"$skip": "3", "$top": "2"})["value"]
    assert [t["@iot.id"] for t in things] == [4, 5]
    assert things[0]["Datastreams@iot.navigationLink"].endswith("/v1.1/Things(4)/Datastreams")


def test_the_latest_observation_is_what_ngsi_ld_serves_now(
    sta: httpx.Client, sim: SimThread
) -> None:
    expand = (
        "Locations($select=location),Datastreams($select=unitOfMeasurement;"
        "$expand=ObservedProperty($select=name),"
        "Observations($orderby=phenomenonTime desc;$top=1;$select=phenomenonTime,result))"
    )
    things = get(
        sta,
        "/Things",
        **{"$filter": "properties/category eq 'weather'", "$expand": expand, "$top": "100"},
    )["value"]
    world = {e.id: e for e in world_entities(sim, "WeatherObserved")}
    assert {t["properties"]["ngsiId"] for t in things} == set(world)
    quantities = {q.name: q for q in QUANTITIES["WeatherObserved"]}
    for thing in things:
        entity = world[thing["properties"]["ngsiId"]]
        assert thing["Locations"] == [{"location": entity.geometry}]
        for datastream in thing["Datastreams"]:
            quantity = quantities[datastream["ObservedProperty"]["name"]]
            unit = unit_for(quantity, SEED, CITY)
            assert datastream["unitOfMeasurement"]["symbol"] == unit.symbol
            (latest,) = datastream["Observations"]
            assert latest["phenomenonTime"] == entity.observed_at
            expected = unit.from_model(entity.values[quantity.attribute])
            assert latest["result"] == pytest.approx(expected, rel=1e-11)


def test_observations_keep_a_history_newest_first_when_asked(sta: httpx.Client) -> None:
    page = get(sta, "/Datastreams(1)/Observations", **{"$orderby": "phenomenonTime desc"})
    stamps = [o["phenomenonTime"] for o in page["value"]]
    assert len(stamps) == HISTORY
    assert stamps == sorted(stamps, reverse=True)
    window = f"phenomenonTime ge {stamps[5]} and phenomenonTime lt {stamps[1]}"
    picked = get(sta, "/Datastreams(1)/Observations", **{"$filter": window})["value"]
    assert sorted(o["phenomenonTime"] for o in picked) == sorted(stamps[2:6])


def test_nested_top_and_count_give_a_nested_next_link(sta: httpx.Client) -> None:
    thing = get(
        sta,
        "/Things(1)",
        **{"$expand": "Datastreams($select=@iot.id;$top=2;$count=true;$orderby=@iot.id desc)"},
    )
    count = len(QUANTITIES[TYPES[0]])
    assert thing["Datastreams@iot.count"] == count
    assert [d["@iot.id"] for d in thing["Datastreams"]] == [count, count - 1]
    following = httpx.get(thing["Datastreams@iot.nextLink"]).json()
    assert [d["@iot.id"] for d in following["value"]] == [count - 2, count - 3]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("properties/category eq 'weather'", PER_TYPE),
        ("properties/category ne 'weather'", (len(TYPES) - 1) * PER_TYPE),
        ("startswith(name, 'Väder') and @iot.id le 3", 3),
        ("tolower(properties/category) eq 'beach' or @iot.id eq 1", PER_TYPE + 1),
        ("not (@iot.id gt 2)", 2),
        ("@iot.id add 1 eq 3", 1),
        ("(@iot.id mod 2) eq 0", len(TYPES) * PER_TYPE // 2),
        ("Datastreams/ObservedProperty/name eq 'air temperature'", 2 * PER_TYPE),
        (f"geo.intersects(Locations/location, geography'{BOX}')", None),
        (f"st_within(Locations/location, geography'{BOX}')", None),
        ("Datastreams/Observations/phenomenonTime ge 2026-11-18T11:05:00Z", None),
    ],
)
def test_filters(sta: httpx.Client, expression: str, expected: int | None) -> None:
    page = get(sta, "/Things", **{"$filter": expression, "$count": "true", "$top": "0"})
    assert page["value"] == []
    if expected is not None:
        assert page["@iot.count"] == expected
    else:
        assert 0 < page["@iot.count"] <= len(TYPES) * PER_TYPE


def test_geo_filters_match_the_locations(sta: httpx.Client, sim: SimThread) -> None:
    things = get(sta, "/Things", **{"$top": "1000", "$expand": "Locations"})["value"]
    point = things[0]["Locations"][0]["location"]["coordinates"]
    exact = f"geography'POINT({point[0]} {point[1]})'"
    touching = get(sta, "/Things", **{"$filter": f"geo.intersects(Locations/location, {exact})"})
    assert [t["@iot.id"] for t in touching["value"]] == [1]
    lon, lat = point
    ring = [(lon, lat), (lon + 0.1, lat), (lon + 0.1, lat + 0.1), (lon, lat + 0.1), (lon, lat)]
    edge = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"
    inside = get(sta, "/Things", **{"$filter": f"st_within(Locations/location, geography'{edge}')"})
    intersecting = get(
        sta, "/Things", **{"$filter": f"geo.intersects(Locations/location, geography'{edge}')"}
    )

    def ids(page: Any) -> set[Any]:
        return {t["@iot.id"] for t in page["value"]}

    assert 1 not in ids(inside)  # on the boundary: not within
    assert 1 in ids(intersecting)  # but it intersects


def test_paths_properties_and_values(sta: httpx.Client) -> None:
    datastream = get(sta, "/Things(1)/Datastreams(1)")
    assert datastream["@iot.id"] == 1
    assert get(sta, "/Datastreams(1)/Thing")["@iot.id"] == 1
    assert get(sta, "/Datastreams(1)/ObservedProperty")["name"] == "air temperature"
    observation = get(sta, "/Datastreams(1)/Observations", **{"$top": "1"})["value"][0]
    assert get(sta, f"/Observations({observation['@iot.id']})/Datastream")["@iot.id"] == 1
    assert get(sta, "/Things(1)/name") == {
        "name": datastream["name"].replace("air temperature", "Väderstation")
    }
    assert sta.get("/Sensors(1)/name/$value").text == "Vaisala WXT536 weather transmitter"
    assert len(get(sta, "/ObservedProperties")["value"]) == len(
        {q.name for qs in QUANTITIES.values() for q in qs}
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/Things", {"$bogus": "1"}, 400, "$bogus: unknown query option"),
        ("/Things", {"$top": "-1"}, 400, "$top"),
        ("/Things", {"$count": "yes"}, 400, "$count: must be true or false"),
        ("/Things", {"$filter": "name eq"}, 400, "$filter"),
        ("/Things", {"$filter": "colour eq 'red'"}, 400, "no property 'colour'"),
        ("/Things", {"$filter": "frobnicate(name)"}, 400, "unknown or unsupported function"),
        ("/Things", {"$expand": "Sensors"}, 400, "no navigation property 'Sensors'"),
        ("/Things", {"$select": "colour"}, 400, "$select"),
        ("/Things", {"$resultFormat": "dataArray"}, 400, "$resultFormat"),
        ("/Things(1)", {"$top": "2"}, 400, "collections only"),
        ("/Things(9999)", {}, 404, "does not exist"),
        ("/Gadgets", {}, 404, "no entity set 'Gadgets'"),
        ("/Things(1)/colour", {}, 404, "no property 'colour'"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    sta: httpx.Client, path: str, params: dict[str, str], status: int, words: str
) -> None:
    assert words in error(sta, path, status, **params)
