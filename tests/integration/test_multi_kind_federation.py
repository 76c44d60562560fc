"""The 18-city weather query against the demo's mix of platform kinds, end to end.

The federation is the demo's ``federation.yaml`` with each city pointed at its
simulated platform on an ephemeral port: NGSI-LD brokers, SensorThings servers,
Lynx installations and REST/JSON APIs side by side. Every kind serves the same
world, so each city's typed weather fields are checked against it: same fields,
same units (°C, 0..1, hPa, m/s), same values, whatever the platform.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conformance import truth
from tests.support.federation_files import municipalities
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

DEMO = Path(__file__).resolve().parents[2] / "federation.yaml"
KINDS = {"ngsi-ld", "sensorthings", "lynx", "rest-json"}
TYPED = {
    "temperature": "temperature",
    "relativeHumidity": "relativeHumidity",
    "atmosphericPressure": "atmosphericPressure",
    "windSpeed": "windSpeed",
    "windDirection": "windDirection",
    "precipitation": "precipitation",
    "snowHeight": "snowHeight",
    "illuminance": "illuminance",
}
"""Typed GraphQL field -> the attribute it reads."""
WEATHER = (
    """{ weatherObserved(first: 1000) {
    nodes { id city { id } observedAt """
    + " ".join(TYPED)
    + """ attributes }
    coverage { city { id } status count message } } }"""
)
_PORT = re.compile(r"http://\$\{CAAP_SIM_HOST:-127\.0\.0\.1\}:(\d+)")


def demo_pointed_at(urls: dict[str, str], path: Path) -> Path:
    """The demo federation with each city's ``http://...:91NN`` replaced by its simulator."""
    ports = {9101 + i: m["id"] for i, m in enumerate(municipalities())}

    def swap(node: Any) -> Any:
        if isinstance(node, str):
            return _PORT.sub(lambda m: urls[ports[int(m.group(1))]], node)
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    document = swap(yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    document["gateway"] = {"timeout_s": 2.0, "deadline_s": 8.0}
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = demo_pointed_at(dict(sim.urls), tmp_path_factory.mktemp("mix") / "federation.yaml")
    with GatewayServer(str(path)) as server:
        yield server


def post(gw: GatewayServer, query: str) -> dict[str, Any]:
    response = httpx.post(f"{gw.url}/graphql", json={"query": query}, timeout=30)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_demo_mixes_at_least_four_platform_kinds(gateway: GatewayServer) -> None:
    cities = post(gateway, "{ cities { id platform { kind } } }")["data"]["cities"]
    assert len(cities) == 18
    assert {c["platform"]["kind"] for c in cities} >= KINDS


def test_weather_comes_from_all_18_cities_whatever_their_platform(
    gateway: GatewayServer,
) -> None:
    query = """{ entities(type: "WeatherObserved", first: 1000) {
        nodes { id city { id } } totalCount coverage { city { id } status count message } } }"""
    body = post(gateway, query)
    assert "errors" not in body, body.get("errors")
    result = body["data"]["entities"]
    coverage = {c["city"]["id"]: (c["status"], c["message"]) for c in result["coverage"]}
    assert coverage == {m["id"]: ("OK", None) for m in municipalities()}
    assert result["totalCount"] == 18 * 12
    assert {n["city"]["id"] for n in result["nodes"]} == set(coverage)


def test_typed_weather_fields_have_one_shape_and_one_set_of_units(
    gateway: GatewayServer, sim: Sim
) -> None:
    body = post(gateway, WEATHER)
    assert "errors" not in body, body.get("errors")
    by_city: dict[str, list[dict[str, Any]]] = {}
    for node in body["data"]["weatherObserved"]["nodes"]:
        by_city.setdefault(node["city"]["id"], []).append(node)
    shapes = {
        city: {frozenset(f for f in TYPED if n[f] is not None) for n in nodes}
        for city, nodes in by_city.items()
    }
    assert shapes == {m["id"]: {frozenset(TYPED)} for m in municipalities()}
    problems = []
    for city, nodes in by_city.items():
        world = {e.id: e for e in truth.current(truth.world(sim.thread, city), "WeatherObserved")}
        assert {n["id"] for n in nodes} == set(world), city
        for node in nodes:
            entity = world[node["id"]]
            for field, attribute in TYPED.items():
                want = float(entity.values[attribute])
                if not math.isclose(node[field], want, rel_tol=0.02, abs_tol=0.06):
                    problems.append(f"{city} {node['id']} {field}: {node[field]} != {want}")
            if node["observedAt"][:19] != entity.observed_at[:19]:
                problems.append(f"{city} {node['id']}: observedAt {node['observedAt']}")
    assert not problems, "\n".join(problems[:30])


def test_water_consumption_stays_behind_its_scope_on_every_platform(
    gateway: GatewayServer,
) -> None:
    query = """{ entities(type: "WaterConsumptionObserved") {
        nodes { id } coverage { city { id } status } } }"""
    result = post(gateway, query)["data"]["entities"]
    assert result["nodes"] == []
    assert {c["status"] for c in result["coverage"]} == {"DENIED"}
    assert len(result["coverage"]) == 18
