"""citysim's NGSI-LD discovery answers as Orion-LD gives them: the same members in the
same shapes as the answers recorded from it (tests/adapters/real_answers/orion-ld/,
ATTRIBUTION.md there), and facts that agree with the world (12 entities per type)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.citysim.sim_http import Ngsi, link

ORION = Path(__file__).resolve().parents[1] / "adapters" / "real_answers" / "orion-ld"
PER_TYPE = 12


def recorded(name: str) -> Any:
    return orjson.loads((ORION / name).read_bytes())


def members(items: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {frozenset(item) for item in items}


async def test_types_with_details_are_entity_types_as_orion_ld_lists_them(ngsi: Ngsi) -> None:
    answer = await ngsi.get(path="/ngsi-ld/v1/types", params={"details": "true"}, headers=link())
    assert answer.status == 200
    body = answer.json()
    assert members(body) == members(recorded("entity_types_details_08.json"))
    weather = next(t for t in body if t["typeName"] == "WeatherObserved")
    assert weather["type"] == "EntityType"
    assert {"temperature", "relativeHumidity", "location"} <= set(weather["attributeNames"])


async def test_a_type_is_entity_type_info_as_orion_ld_gives_it(ngsi: Ngsi) -> None:
    answer = await ngsi.get(path="/ngsi-ld/v1/types/WeatherObserved", headers=link())
    assert answer.status == 200
    body, real = answer.json(), recorded("entity_type_info_06.json")
    assert set(body) == set(real)
    assert members(body["attributeDetails"]) == members(real["attributeDetails"])
    assert body["entityCount"] == PER_TYPE
    kinds = {d["attributeName"]: d["attributeTypes"] for d in body["attributeDetails"]}
    assert kinds["location"] == ["GeoProperty"]
    assert kinds["temperature"] == ["Property"]


async def test_an_unknown_type_is_a_404_problem(ngsi: Ngsi) -> None:
    answer = await ngsi.get(path="/ngsi-ld/v1/types/NoSuchType", headers=link())
    assert answer.status == 404
    assert answer.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"


async def test_attributes_with_details_are_attributes_as_orion_ld_lists_them(ngsi: Ngsi) -> None:
    answer = await ngsi.get(
        path="/ngsi-ld/v1/attributes", params={"details": "true"}, headers=link()
    )
    assert answer.status == 200
    body = answer.json()
    assert members(body) == members(recorded("attributes_details_07.json"))
    temperature = next(a for a in body if a["attributeName"] == "temperature")
    assert {"WeatherObserved", "AirQualityObserved"} <= set(temperature["typeNames"])
    assert temperature["attributeCount"] >= 2 * PER_TYPE
    listed = (await ngsi.get(path="/ngsi-ld/v1/attributes", headers=link())).json()
    assert listed["type"] == "AttributeList"
    assert set(listed["attributeList"]) == {a["attributeName"] for a in body}
