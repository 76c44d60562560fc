"""The federation spine end to end: real gateway, real simulated platforms, real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.federation_files import municipalities, write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

PER_CITY_TIMEOUT_S = 3.0
"""Far above what a healthy city needs on a loaded machine; the deadline (5 s) is less than
two of them."""

WEATHER = """
query($first: Int, $after: String, $filter: EntityFilter) {
  entities(type: "WeatherObserved", first: $first, after: $after, filter: $filter) {
    nodes { id type city { id } observedAt location { lat lon } attributes }
    pageInfo { hasNextPage endCursor }
    totalCount
    coverage { city { id } status count message stale }
  }
}
"""


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = write_federation(
        tmp_path_factory.mktemp("fed") / "federation.yaml",
        sim.urls,
        gateway={
            "timeout_s": PER_CITY_TIMEOUT_S,
            "deadline_s": 5.0,
            # every query reaches the platforms: these tests watch them fail and recover
            "cache": {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
        },
    )
    with GatewayServer(str(path)) as server:
        yield server


def post(gw: GatewayServer, query: str, **variables: Any) -> httpx.Response:
    return httpx.post(
        f"{gw.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )


def test_cities_lists_the_18_municipalities(gateway: GatewayServer) -> None:
    response = httpx.post(
        f"{gateway.url}/graphql",
        json={"query": "{ cities { id name kommunkod platform { kind } } }"},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    cities = response.json()["data"]["cities"]
    expected = [
        {
            "id": m["id"],
            "name": m["name"],
            "kommunkod": m["kommunkod"],
            "platform": {"kind": "ngsi-ld"},
        }
        for m in municipalities()
    ]
    assert sorted(cities, key=lambda c: str(c["id"])) == sorted(
        expected, key=lambda c: str(c["id"])
    )


def test_weather_from_all_18_cities_with_coverage_ok(gateway: GatewayServer) -> None:
    body = post(gateway, WEATHER, first=1000).json()
    assert "errors" not in body
    result = body["data"]["entities"]
    assert {n["city"]["id"] for n in result["nodes"]} == {m["id"] for m in municipalities()}
    assert [c["status"] for c in result["coverage"]] == ["OK"] * 18
    assert sum(c["count"] for c in result["coverage"]) == result["totalCount"]
    assert len(result["nodes"]) == result["totalCount"]
    assert all(n["type"] == "WeatherObserved" for n in result["nodes"])
    assert all("temperature" in n["attributes"] for n in result["nodes"])
    stamps = [n["observedAt"] for n in result["nodes"]]
    assert stamps == sorted(stamps, reverse=True)


def test_paging_through_all_cities_has_no_duplicate_and_no_gap(gateway: GatewayServer) -> None:
    everything = post(gateway, WEATHER, first=1000).json()["data"]["entities"]["nodes"]
    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(1000):
        page = post(gateway, WEATHER, first=7, after=after).json()["data"]["entities"]
        seen.extend((n["city"]["id"], n["id"]) for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(n["city"]["id"], n["id"]) for n in everything]


def test_filter_near_and_cities(gateway: GatewayServer) -> None:
    malmo = next(m for m in municipalities() if m["id"] == "malmo")
    body = post(
        gateway,
        WEATHER,
        first=1000,
        filter={
            "cities": ["malmo", "lund"],
            "near": {"lat": float(malmo["lat"]), "lon": float(malmo["lon"]), "maxDistance": 3000},
        },
    ).json()
    result = body["data"]["entities"]
    assert [c["city"]["id"] for c in result["coverage"]] == ["malmo", "lund"]
    assert result["nodes"], "some Malmö stations lie within 3 km of the centre"
    assert {n["city"]["id"] for n in result["nodes"]} == {"malmo"}  # Lund is 16 km away


def test_typed_weather_observed_fields(gateway: GatewayServer) -> None:
    query = """{ weatherObserved(first: 5, filter: {cities: ["umea"]}) {
        nodes { id city { name } temperature relativeHumidity observedAt }
        coverage { status } } }"""
    result = post(gateway, query).json()["data"]["weatherObserved"]
    assert len(result["nodes"]) == 5
    assert all(isinstance(n["temperature"], float) for n in result["nodes"])
    assert all(0 <= n["relativeHumidity"] <= 1 for n in result["nodes"])
    assert result["nodes"][0]["city"]["name"] == "Umeå"


def test_scoped_dataset_is_denied_to_anonymous_callers(gateway: GatewayServer) -> None:
    query = """{ entities(type: "WaterConsumptionObserved", filter: {cities: ["malmo"]}) {
        nodes { id } coverage { city { id } status message } } }"""
    body = post(gateway, query).json()
    assert body["data"]["entities"]["nodes"] == []
    assert body["data"]["entities"]["coverage"][0]["status"] == "DENIED"
    assert "caap:utility:read" in body["data"]["entities"]["coverage"][0]["message"]
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "city": "malmo"}


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"first": 1001}, "first: 1001 is outside 0..1000"),
        ({"first": 5, "after": "garbage"}, "after: malformed cursor"),
        ({"filter": {"near": {"lat": 95.0, "lon": 13.0, "maxDistance": 10}}}, "latitude 95.0"),
        ({"filter": {"near": {"lat": 55.0, "lon": 13.0, "maxDistance": -5}}}, "maxDistance"),
        ({"filter": {"cities": ["atlantis"]}}, "unknown city id 'atlantis'"),
    ],
)
def test_bad_input_answers_bad_user_input(
    gateway: GatewayServer, variables: dict[str, Any], fragment: str
) -> None:
    body = post(gateway, WEATHER, **variables).json()
    assert body.get("data") is None  # absent when refused before execution (first: 1001)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("mode", "statuses", "code"),
    [
        ({"mode": "down"}, {"UNAVAILABLE", "FAILED"}, "UPSTREAM_UNAVAILABLE"),
        ({"mode": "hang"}, {"TIMEOUT"}, "UPSTREAM_TIMEOUT"),
        ({"mode": "error", "status": 500}, {"FAILED"}, "UPSTREAM_ERROR"),
        ({"mode": "garbage"}, {"FAILED"}, "UPSTREAM_ERROR"),
    ],
)
def test_one_failing_city_gives_a_partial_result(
    gateway: GatewayServer, sim: Sim, mode: dict[str, Any], statuses: set[str], code: str
) -> None:
    healthy = post(gateway, WEATHER, first=1000).json()["data"]["entities"]
    expected_others = {
        (n["city"]["id"], n["id"]) for n in healthy["nodes"] if n["city"]["id"] != "kalmar"
    }
    with sim.fault("kalmar", mode):
        response = post(gateway, WEATHER, first=1000)
    assert response.status_code == 200
    body = response.json()
    result = body["data"]["entities"]
    by_city = {c["city"]["id"]: c for c in result["coverage"]}
    assert by_city["kalmar"]["status"] in statuses
    assert all(c["status"] == "OK" for cid, c in by_city.items() if cid != "kalmar")
    assert {(n["city"]["id"], n["id"]) for n in result["nodes"]} == expected_others
    assert [e["extensions"] for e in body["errors"]] == [{"code": code, "city": "kalmar"}]
    assert body["errors"][0]["path"] == ["entities"]
    assert "kalmar" in body["errors"][0]["message"]


def test_18_cities_are_asked_at_once(gateway: GatewayServer, sim: Sim) -> None:
    """Every platform hangs: each city is cut by its own timeout (3 s), the request by its
    deadline (5 s). Asked one after another, the cities after the second would never have
    been asked; asked at once, every platform received the question (citysim counts it)."""
    with sim.fault_all({"mode": "hang"}):
        sim.reset_requests()
        body = post(gateway, WEATHER, first=1000).json()
        reached = sim.requests_by_city()
    coverage = body["data"]["entities"]["coverage"]
    assert len(coverage) == 18
    assert {c["status"] for c in coverage} == {"TIMEOUT"}
    assert {city for city, counts in reached.items() if counts["total"] == 0} == set()


def test_health_and_readiness(gateway: GatewayServer) -> None:
    assert httpx.get(f"{gateway.url}/healthz").status_code == 200
    ready = httpx.get(f"{gateway.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["cities"] == 18
