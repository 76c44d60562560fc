"""Query Entities over real HTTP: type, id, idPattern, q, attrs, paging, count, forms."""

from __future__ import annotations

from typing import Any

from yarl import URL

from tests.citysim.sim_http import Ngsi, link

WEATHER = [f"urn:ngsi-ld:WeatherObserved:malmo-{i:04d}" for i in range(12)]


def values(entities: list[dict[str, Any]], name: str) -> list[Any]:
    return [e[name] for e in entities]


async def test_type_selects_the_entities_of_one_type_in_id_order(ngsi: Ngsi) -> None:
    entities = await ngsi.entities(type="WeatherObserved", limit="100")
    assert values(entities, "id") == WEATHER
    assert set(values(entities, "type")) == {"WeatherObserved"}


async def test_type_list_and_alternatives_select_several_types(ngsi: Ngsi) -> None:
    for selection in ("Beach,Device", "Beach|Device", "(Beach|Device)"):
        entities = await ngsi.entities(type=selection, limit="100")
        assert len(entities) == 24
        assert {e["type"] for e in entities} == {"Beach", "Device"}
    assert await ngsi.entities(type="Beach;Device") == []


async def test_each_city_serves_its_own_entities(ngsi: Ngsi) -> None:
    lund = await ngsi.entities("lund", type="Device", limit="100")
    assert all(e["id"].startswith("urn:ngsi-ld:Device:lund-") for e in lund)
    assert len(lund) == 12


async def test_id_selects_those_entities_of_this_city(ngsi: Ngsi) -> None:
    wanted = [WEATHER[3], WEATHER[7], "urn:ngsi-ld:WeatherObserved:lund-0001"]
    entities = await ngsi.entities(type="WeatherObserved", id=",".join(wanted))
    assert values(entities, "id") == wanted[:2]


async def test_id_pattern_is_a_regular_expression_on_ids(ngsi: Ngsi) -> None:
    entities = await ngsi.entities(type="WeatherObserved", idPattern="malmo-000[2-4]$")
    assert values(entities, "id") == WEATHER[2:5]
    assert await ngsi.entities(type="Beach", idPattern="^urn:ngsi-ld:Beach:", limit="100") != []


async def test_q_comparison_splits_the_entities(ngsi: Ngsi) -> None:
    warm = await ngsi.entities(type="WeatherObserved", q="temperature>5", options="keyValues")
    cold = await ngsi.entities(type="WeatherObserved", q="temperature<=5", options="keyValues")
    assert all(t > 5 for t in values(warm, "temperature"))
    assert all(t <= 5 for t in values(cold, "temperature"))
    assert sorted(values(warm + cold, "id")) == WEATHER


async def test_q_and_binds_tighter_than_or(ngsi: Ngsi) -> None:
    every = await ngsi.entities(type="WeatherObserved", options="keyValues")
    median_t = sorted(values(every, "temperature"))[6]
    median_h = sorted(values(every, "relativeHumidity"))[6]
    t, h = f"temperature>={median_t}", f"relativeHumidity<{median_h}"

    async def ids(q: str) -> set[str]:
        return set(values(await ngsi.entities(type="WeatherObserved", q=q), "id"))

    by_t = {e["id"] for e in every if e["temperature"] >= median_t}
    by_h = {e["id"] for e in every if e["relativeHumidity"] < median_h}
    assert await ids(f"{t};{h}") == by_t & by_h
    assert await ids(f"{t}|{h}") == by_t | by_h
    assert await ids(f"({t}|{h});temperature<-100") == set()
    assert await ids(f"temperature<-100;{t}|{h}") == by_h


async def test_q_compares_datetimes_in_time(ngsi: Ngsi) -> None:
    every = await ngsi.entities(type="WeatherObserved", options="keyValues")
    stamps = sorted(e["dateObserved"]["@value"] for e in every)
    assert len(set(stamps)) == 12, "every station observes at its own moment"
    middle = stamps[6]
    later = await ngsi.entities(type="WeatherObserved", q=f"dateObserved>={middle}")
    earlier = await ngsi.entities(type="WeatherObserved", q=f"dateObserved<{middle}")
    assert len(later) == 6
    assert len(earlier) == 6
    window = f"dateObserved>={stamps[2]};dateObserved<{stamps[5]}"
    assert len(await ngsi.entities(type="WeatherObserved", q=window)) == 3
    by_path = await ngsi.entities(type="WeatherObserved", q=f"temperature.observedAt>={middle}")
    assert values(by_path, "id") == values(later, "id")


async def test_q_datetime_does_not_match_a_string(ngsi: Ngsi) -> None:
    assert await ngsi.entities(type="WeatherObserved", q="source>=2020-01-01T00:00:00Z") == []


async def test_q_ranges_lists_strings_and_relationships(ngsi: Ngsi) -> None:
    air = await ngsi.entities(type="AirQualityObserved", options="keyValues")
    low = sorted(values(air, "no2"))[3]
    high = sorted(values(air, "no2"))[8]
    ranged = await ngsi.entities(type="AirQualityObserved", q=f"no2=={low}..{high}")
    assert len(ranged) == 6
    areas = sorted(set(values(air, "areaServed")))[:2]
    listed = await ngsi.entities(
        type="AirQualityObserved", q=f'areaServed=="{areas[0]}","{areas[1]}"', options="keyValues"
    )
    assert {e["areaServed"] for e in listed} == set(areas)
    assert len(listed) == sum(e["areaServed"] in areas for e in air)
    others = await ngsi.entities(type="AirQualityObserved", q=f'areaServed!="{areas[0]}"')
    assert len(others) == 12 - sum(e["areaServed"] == areas[0] for e in air)
    device = await ngsi.entities(
        type="WeatherObserved", q="refDevice==urn:ngsi-ld:Device:malmo-0003"
    )
    assert values(device, "id") == [WEATHER[3]]


async def test_q_patterns_and_compound_members(ngsi: Ngsi) -> None:
    air = await ngsi.entities(type="AirQualityObserved", options="keyValues")
    streets = [e["address"]["streetAddress"] for e in air]
    gatan = await ngsi.entities(type="AirQualityObserved", q="address[streetAddress]~=gatan")
    assert len(gatan) == sum("gatan" in s for s in streets)
    not_gatan = await ngsi.entities(type="AirQualityObserved", q="address[streetAddress]!~=gatan")
    assert len(gatan) + len(not_gatan) == 12
    city = await ngsi.entities(type="AirQualityObserved", q='address[addressLocality]=="Malmö"')
    assert len(city) == 12


async def test_q_existence_and_unknown_attributes(ngsi: Ngsi) -> None:
    assert len(await ngsi.entities(q="snowHeight", limit="100")) == 12
    assert await ngsi.entities(type="WeatherObserved", q="noSuchThing>1") == []
    assert await ngsi.entities(type="WeatherObserved", q="noSuchThing") == []


async def test_attrs_keeps_entities_with_one_of_them_and_only_those_attributes(
    ngsi: Ngsi,
) -> None:
    answer = await ngsi.get(
        params={"attrs": "temperature", "count": "true", "limit": "100"}, headers=link()
    )
    entities = answer.json()
    assert answer.headers["NGSILD-Results-Count"] == "36"
    assert {e["type"] for e in entities} == {
        "AirQualityObserved",
        "WaterQualityObserved",
        "WeatherObserved",
    }
    assert all(set(e) == {"id", "type", "temperature"} for e in entities)
    both = await ngsi.entities(type="WeatherObserved", attrs="temperature,location")
    assert all(set(e) == {"id", "type", "temperature", "location"} for e in both)


async def test_limit_offset_and_next_links_page_through_everything(ngsi: Ngsi) -> None:
    base = URL(ngsi.cluster.urls["malmo"])
    answer = await ngsi.get(params={"type": "WeatherObserved", "limit": "5"}, headers=link())
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        seen += values(answer.json(), "id")
        following = [v for v in answer.links if 'rel="next"' in v]
        if not following:
            assert any('rel="prev"' in v for v in answer.links)
            break
        target = base.join(URL(following[0].split(">")[0].lstrip("<")))
        assert target.query["limit"] == "5"
        answer = await ngsi.get(path=target.path, params=target.query, headers=link())
    assert pages == 3
    assert seen == WEATHER
    tail = await ngsi.entities(type="WeatherObserved", limit="5", offset="10")
    assert values(tail, "id") == WEATHER[10:]
    assert await ngsi.entities(type="WeatherObserved", offset="12") == []


async def test_default_limit_is_20(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params={"type": "Beach,Device"}, headers=link())
    assert len(answer.json()) == 20
    assert any('rel="next"' in v for v in answer.links)


async def test_count_gives_the_number_of_all_matches(ngsi: Ngsi) -> None:
    counted = await ngsi.get(
        params={"type": "WeatherObserved", "count": "true", "limit": "3"}, headers=link()
    )
    assert counted.headers["NGSILD-Results-Count"] == "12"
    assert len(counted.json()) == 3
    plain = await ngsi.get(params={"type": "WeatherObserved"}, headers=link())
    assert "NGSILD-Results-Count" not in plain.headers
    only = await ngsi.get(params={"type": "Beach", "count": "true", "limit": "0"}, headers=link())
    assert (only.json(), only.headers["NGSILD-Results-Count"]) == ([], "12")


async def test_normalized_concise_and_key_values_forms(ngsi: Ngsi) -> None:
    query = {"type": "WeatherObserved", "id": WEATHER[0]}
    normalized = (await ngsi.entities(**query))[0]
    concise = (await ngsi.entities(**query, format="concise"))[0]
    key_values = (await ngsi.entities(**query, options="keyValues"))[0]
    simplified = (await ngsi.entities(**query, format="simplified"))[0]
    temperature = normalized["temperature"]
    assert temperature["type"] == "Property"
    assert isinstance(temperature["value"], float)
    assert temperature["observedAt"] == normalized["dateObserved"]["value"]["@value"]
    assert concise["temperature"] == {k: v for k, v in temperature.items() if k != "type"}
    assert concise["dataProvider"] == normalized["dataProvider"]["value"]
    assert key_values["temperature"] == temperature["value"]
    assert key_values["refDevice"] == normalized["refDevice"]["object"]
    assert normalized["refDevice"]["type"] == "Relationship"
    assert normalized["location"]["type"] == "GeoProperty"
    assert key_values["location"] == normalized["location"]["value"]
    assert key_values["location"]["type"] == "Point"
    assert simplified == key_values


async def test_unit_codes_and_sub_relationships_are_kept(ngsi: Ngsi) -> None:
    air = (await ngsi.entities(type="AirQualityObserved", limit="1"))[0]
    assert air["no2"]["unitCode"] == "GQ"
    meter = (await ngsi.entities(type="WaterConsumptionObserved", limit="1"))[0]
    consumption = meter["waterConsumption"]
    assert consumption["unitCode"] == "LTR"
    assert consumption["observedBy"] == {
        "type": "Relationship",
        "object": "urn:ngsi-ld:Device:malmo-0000",
    }
    found = await ngsi.entities(
        type="WaterConsumptionObserved",
        q="waterConsumption.observedBy==urn:ngsi-ld:Device:malmo-0002",
    )
    assert values(found, "id") == ["urn:ngsi-ld:WaterConsumptionObserved:malmo-0002"]


async def test_retrieve_entity(ngsi: Ngsi) -> None:
    found = await ngsi.get(path=f"/ngsi-ld/v1/entities/{WEATHER[5]}", headers=link())
    assert found.status == 200
    entity = found.json()
    assert (entity["id"], entity["type"]) == (WEATHER[5], "WeatherObserved")
    listed = await ngsi.entities(type="WeatherObserved", id=WEATHER[5])
    assert listed == [entity]
    projected = await ngsi.get(
        path=f"/ngsi-ld/v1/entities/{WEATHER[5]}",
        params={"attrs": "temperature", "options": "keyValues"},
        headers=link(),
    )
    assert set(projected.json()) == {"id", "type", "temperature"}


async def test_retrieve_unknown_entities_is_not_found(ngsi: Ngsi) -> None:
    for entity_id, params in (
        ("urn:ngsi-ld:WeatherObserved:malmo-0012", {}),
        ("urn:ngsi-ld:WeatherObserved:lund-0001", {}),
        ("urn:ngsi-ld:Parking:malmo-0001", {}),
        (WEATHER[1], {"type": "Beach"}),
    ):
        answer = await ngsi.get(
            path=f"/ngsi-ld/v1/entities/{entity_id}", params=params, headers=link()
        )
        assert answer.status == 404
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
        assert entity_id in answer.json()["detail"]


async def test_types_lists_the_nine_entity_types(ngsi: Ngsi) -> None:
    answer = await ngsi.get(path="/ngsi-ld/v1/types", headers=link())
    assert answer.json()["typeList"] == [
        "AirQualityObserved",
        "Beach",
        "Device",
        "OffStreetParking",
        "PointOfInterest",
        "TrafficFlowObserved",
        "WaterConsumptionObserved",
        "WaterQualityObserved",
        "WeatherObserved",
    ]


async def test_an_id_alone_is_not_a_query(ngsi: Ngsi) -> None:
    """GS CIM 009 clause 5.7.2.4 (and the ETSI suite's 019_03_05): id narrows, never selects."""
    answer = await ngsi.get(params={"id": WEATHER[0]}, headers=link())
    assert answer.status == 400
    assert answer.json()["detail"].startswith("type: ")
