"""Lookup and discovery end to end (ADR 0020): ``types``, ``City.types`` and ``entity(city,
id)`` through the real gateway, over the demo federation's mix of platform kinds
(NGSI-LD, SensorThings, Lynx, REST/JSON), each city on its simulated platform, with
tokens from a real authorization server.

Malmö's copy of the demo drops ``temperature`` from WeatherObserved for everyone, so
that what a grant drops can be seen missing from discovery.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.test_multi_kind_federation import demo_pointed_at
from tests.support.auth_server import AUDIENCE, AuthServer, Client
from tests.support.federation_files import municipalities
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post, upstream_requests
from tests.support.sim import Sim

UTILITY = "caap:utility:read"
CLIENTS = [
    Client("utility-app", "utility-secret", frozenset({UTILITY})),
    Client("traffic-app", "traffic-secret", frozenset({"caap:traffic:read"})),
]
ALL_CITIES = {m["id"] for m in municipalities()}
PER_TYPE = 12
"""Entities per type in the session's simulated world (tests/conftest.py)."""
DROPPED_IN = "malmo"
ONE_PER_KIND = {
    "ngsi-ld": "stockholm",
    "sensorthings": "uppsala",
    "lynx": "kalmar",
    "rest-json": "orebro",
}
TYPES = """query($cities: [ID!]) { types(cities: $cities) {
    name readable count cities { id } attributes { name unit symbol } } }"""
CITY_TYPES = """{ cities { id platform { kind }
    types { name readable count attributes { name unit } } } }"""
NODE = "id type city { id } observedAt location { lat lon } attributes"
ENTITY = "query($city: ID!, $id: ID!) { entity(city: $city, id: $id) { " + NODE + " } }"
FIRST = (
    "query($type: String!, $city: ID!) { entities(type: $type, first: 3, "
    "filter: {cities: [$city]}) { nodes { " + NODE + " } } }"
)


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    with AuthServer(CLIENTS) as server:
        yield server


@pytest.fixture(scope="module")
def demo(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = demo_pointed_at(dict(sim.urls), tmp_path_factory.mktemp("disc") / "demo.yaml")
    document: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return document


@pytest.fixture(scope="module")
def gateway(
    demo: dict[str, Any], idp: AuthServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    document = copy.deepcopy(demo)
    datasets = copy.deepcopy(document["cities"][DROPPED_IN]["datasets"])
    datasets["WeatherObserved"] = {"access": [{"public": True, "drop": ["temperature"]}]}
    document["cities"][DROPPED_IN]["datasets"] = datasets
    document["auth"] = {"issuer": idp.issuer, "audience": AUDIENCE}
    path: Path = tmp_path_factory.mktemp("disc") / "federation.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    with GatewayServer(str(path)) as server:
        yield server


def ask(
    gw: GatewayServer, query: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    response = post(gw.url, query, token, **variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def demo_types(demo: dict[str, Any]) -> set[str]:
    return {t for city in demo["cities"].values() for t in city["datasets"]}


def test_types_lists_every_demo_type_with_its_cities_and_units(
    gateway: GatewayServer, demo: dict[str, Any]
) -> None:
    body = ask(gateway, TYPES)
    assert "errors" not in body, body.get("errors")
    found = {t["name"]: t for t in body["data"]["types"]}
    assert set(found) == demo_types(demo)
    for name, summary in found.items():
        if name == "WaterConsumptionObserved":
            continue
        sharing = {c for c, city in demo["cities"].items() if name in city["datasets"]}
        assert summary["readable"] is True, name
        assert {c["id"] for c in summary["cities"]} == sharing, name
        assert summary["count"] == PER_TYPE * len(sharing), name
        names = [a["name"] for a in summary["attributes"]]
        assert len(names) == len(set(names)), f"{name}: an attribute in two units: {names}"
    weather = {a["name"]: (a["unit"], a["symbol"]) for a in found["WeatherObserved"]["attributes"]}
    assert weather["temperature"] == ("CEL", "°C")
    assert weather["relativeHumidity"] == ("C62", "1")
    assert weather["windSpeed"] == ("MTS", "m/s")


def test_an_anonymous_caller_sees_the_utility_type_by_name_only(gateway: GatewayServer) -> None:
    found = {t["name"]: t for t in ask(gateway, TYPES)["data"]["types"]}
    water = found["WaterConsumptionObserved"]
    assert water == {
        "name": "WaterConsumptionObserved",
        "readable": False,
        "count": None,
        "cities": [],
        "attributes": [],
    }


def test_a_scoped_token_sees_the_utility_type_whole(
    gateway: GatewayServer, idp: AuthServer
) -> None:
    token = idp.token("utility-app", UTILITY)
    found = {t["name"]: t for t in ask(gateway, TYPES, token)["data"]["types"]}
    water = found["WaterConsumptionObserved"]
    assert water["readable"] is True
    assert {c["id"] for c in water["cities"]} == ALL_CITIES
    assert water["count"] == PER_TYPE * len(ALL_CITIES)
    units = {a["name"]: a["unit"] for a in water["attributes"]}
    assert units["waterConsumption"] == "LTR"
    assert units["maxFlow"] == "E32"


def test_each_city_lists_its_types_and_a_dropped_attribute_is_absent(
    gateway: GatewayServer,
) -> None:
    body = ask(gateway, CITY_TYPES)
    assert "errors" not in body, body.get("errors")
    for city in body["data"]["cities"]:
        offered = {t["name"]: t for t in city["types"]}
        weather = {a["name"] for a in offered["WeatherObserved"]["attributes"]}
        assert offered["WeatherObserved"]["count"] == PER_TYPE, city["id"]
        assert ("temperature" in weather) is (city["id"] != DROPPED_IN), city["id"]
        assert {"relativeHumidity", "atmosphericPressure"} <= weather, city["id"]
        assert offered["WaterConsumptionObserved"]["readable"] is False


@pytest.mark.parametrize("kind", sorted(ONE_PER_KIND))
def test_entity_is_the_row_entities_gives(
    gateway: GatewayServer, idp: AuthServer, kind: str
) -> None:
    city = ONE_PER_KIND[kind]
    token = idp.token("utility-app", UTILITY)
    for entity_type in ("WeatherObserved", "WaterConsumptionObserved"):
        rows = ask(gateway, FIRST, token, type=entity_type, city=city)["data"]["entities"]["nodes"]
        assert rows, (city, entity_type)
        body = ask(gateway, ENTITY, token, city=city, id=rows[-1]["id"])
        assert "errors" not in body, body.get("errors")
        assert body["data"]["entity"] == rows[-1]


def _not_found(body: dict[str, Any]) -> str:
    assert body["data"] == {"entity": None}
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND"}
    message: str = error["message"]
    return message


def test_unknown_id_unknown_city_and_hidden_type_answer_alike(
    gateway: GatewayServer, idp: AuthServer
) -> None:
    missing = _not_found(ask(gateway, ENTITY, city="malmo", id="urn:ngsi-ld:WeatherObserved:x"))
    assert "urn:ngsi-ld:WeatherObserved:x" in missing
    unknown_city = _not_found(ask(gateway, ENTITY, city="atlantis", id="urn:ngsi-ld:Beach:1"))
    assert (
        unknown_city.replace("atlantis", "malmo").replace("Beach:1", "WeatherObserved:x") == missing
    )
    token = idp.token("utility-app", UTILITY)
    for city in ONE_PER_KIND.values():
        rows = ask(gateway, FIRST, token, type="WaterConsumptionObserved", city=city)
        hidden = rows["data"]["entities"]["nodes"][0]["id"]
        said = _not_found(ask(gateway, ENTITY, city=city, id=hidden))
        assert said == f"entity: no entity {hidden!r} in city {city!r} that you may see"


def test_a_failing_city_is_reported_and_the_others_answer(
    gateway: GatewayServer, idp: AuthServer, sim: Sim
) -> None:
    token = idp.token("traffic-app", "caap:traffic:read")  # a policy class not yet cached
    with sim.fault("lund", {"mode": "error", "status": 500}):
        body = ask(gateway, TYPES, token)
    codes = {(e["extensions"]["city"], e["extensions"]["code"]) for e in body.get("errors", [])}
    assert codes == {("lund", "UPSTREAM_ERROR")}
    weather = next(t for t in body["data"]["types"] if t["name"] == "WeatherObserved")
    assert {c["id"] for c in weather["cities"]} == ALL_CITIES
    assert weather["count"] == PER_TYPE * (len(ALL_CITIES) - 1)


def test_types_of_an_unknown_city_is_bad_input(gateway: GatewayServer) -> None:
    body = ask(gateway, TYPES, cities=["malmo", "atlantis"])
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'atlantis'" in error["message"]


def test_types_of_some_cities_counts_only_those(gateway: GatewayServer) -> None:
    body = ask(gateway, TYPES, cities=["malmo", "uppsala"])
    beach = next(t for t in body["data"]["types"] if t["name"] == "Beach")
    assert {c["id"] for c in beach["cities"]} == {"malmo", "uppsala"}
    assert beach["count"] == 2 * PER_TYPE


def test_a_description_once_fetched_is_served_from_the_cache(gateway: GatewayServer) -> None:
    ask(gateway, CITY_TYPES)  # every city described for anonymous callers (or already was)
    before = upstream_requests(gateway.url)
    body = ask(gateway, TYPES)  # another document: the response cache does not answer it
    assert "errors" not in body, body.get("errors")
    assert upstream_requests(gateway.url) == before
