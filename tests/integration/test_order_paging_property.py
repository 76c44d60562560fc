"""Property: paging through any ``orderBy`` gives exactly the whole ordered answer (ADR 0019).

The demo federation on the session's simulated platforms (frozen clock), asked over
HTTP: every example reads one city of each platform kind (NGSI-LD, SensorThings,
Lynx, REST/JSON) and perhaps more, and draws a type, an order (observation time,
distance from a ``near`` point, or an attribute: numbers, text, lists, absent in
some cities), a direction and a page size. The whole answer (one page of 1000)
must be in the documented order, checked here from the values it shows; the pages
read with ``after`` must be that same list: no duplicate, no gap. A cursor of one
order is refused by another.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.contract import GeoPoint
from adapters.geo import distance_m
from tests.integration.test_multi_kind_federation import demo_pointed_at
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

EXAMPLES = 200
ONE_OF_EACH_KIND = ("stockholm", "uppsala", "eskilstuna", "helsingborg")
"""NGSI-LD, SensorThings, Lynx and REST/JSON: in every example."""
MORE = ("malmo", "linkoping", "kalmar", "goteborg")
ATTRIBUTES = {
    "WeatherObserved": ("temperature", "windDirection", "snowHeight", "dataProvider", "address"),
    "AirQualityObserved": ("pm25", "no2", "airQualityLevel", "tpc", "noSuchAttribute"),
    "Beach": ("name", "length", "occupationRate", "facilities", "description"),
}
"""Numbers, text, objects and lists, each present in some platform kinds and absent in others."""
POINTS = ((59.33, 18.07), (59.86, 17.64), (55.6, 13.0), (57.7, 11.97))
QUERY = """
query($type: String!, $filter: EntityFilter, $order: EntityOrder, $first: Int, $after: String) {
  entities(type: $type, filter: $filter, orderBy: $order, first: $first, after: $after) {
    nodes { id city { id } observedAt location { lat lon } attributes }
    totalCount
    pageInfo { hasNextPage endCursor }
    coverage { city { id } status }
  }
}
"""
PAGE = """
query($type: String!, $filter: EntityFilter, $order: EntityOrder, $first: Int, $after: String) {
  entities(type: $type, filter: $filter, orderBy: $order, first: $first, after: $after) {
    nodes { id city { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
"""The pages name their entities only: the whole answer shows what the order is checked on."""


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = demo_pointed_at(dict(sim.urls), tmp_path_factory.mktemp("order") / "federation.yaml")
    with GatewayServer(str(path)) as server:
        yield server


@pytest.fixture(scope="module")
def client(gateway: GatewayServer) -> Iterator[httpx.Client]:
    """One connection for the whole module (a new client per request costs more than the
    request: it loads the certificate store)."""
    with httpx.Client(base_url=gateway.url, timeout=30) as http:
        yield http


def send(client: httpx.Client, query: str, **variables: Any) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables})


def ask(client: httpx.Client, query: str = QUERY, **variables: Any) -> dict[str, Any]:
    response = send(client, query, **variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    answer: dict[str, Any] = body["data"]["entities"]
    return answer


@st.composite
def questions(draw: st.DrawFn) -> dict[str, Any]:
    """Variables of one question: type, cities, near (perhaps), order."""
    entity_type = draw(st.sampled_from(sorted(ATTRIBUTES)))
    extra = draw(st.lists(st.sampled_from(MORE), unique=True, max_size=2))
    by = draw(st.sampled_from(["OBSERVED_AT", "DISTANCE", "ATTRIBUTE"]))
    near = None
    if by == "DISTANCE" or draw(st.booleans()):
        lat, lon = draw(st.sampled_from(POINTS))
        near = {"lat": lat, "lon": lon, "maxDistance": draw(st.sampled_from([60e3, 400e3, 2e6]))}
    order: dict[str, Any] = {"by": by}
    if by == "ATTRIBUTE":
        order["attribute"] = draw(st.sampled_from(ATTRIBUTES[entity_type]))
    direction = draw(st.sampled_from([None, "ASC", "DESC"]))
    if direction is not None:
        order["direction"] = direction
    return {
        "type": entity_type,
        "filter": {"cities": [*ONE_OF_EACH_KIND, *extra], "near": near},
        "order": order,
    }


def expected_key(node: dict[str, Any], order: dict[str, Any], near: Any) -> tuple[Any, ...]:
    """The node's place in the order as ADR 0019 words it, from what the answer shows."""
    descending = order.get("direction", "DESC" if order["by"] == "OBSERVED_AT" else "ASC") == "DESC"
    sign = -1 if descending else 1
    tie = (node["city"]["id"], node["id"])
    if order["by"] == "OBSERVED_AT":
        if node["observedAt"] is None:
            return (2, 0, *tie)
        moment = datetime.fromisoformat(node["observedAt"])
        return (0, sign * moment.timestamp(), *tie)
    if order["by"] == "DISTANCE":
        where = node["location"]
        origin = GeoPoint(near["lat"], near["lon"])
        return (0, sign * distance_m(origin, GeoPoint(where["lat"], where["lon"])), *tie)
    value = node["attributes"].get(order["attribute"])
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (0, sign * value, *tie)
    if isinstance(value, str):
        text = value[:64]
        return (1, text, *tie) if not descending else (1, _Reversed(text), *tie)
    return (2, 0, *tie)


class _Reversed:
    """Text compared backwards."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Reversed) -> bool:
        return self.text > other.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


RUNS: dict[str, set[tuple[str, str | None]]] = {"orders": set()}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(question=questions(), page_size=st.integers(5, 40))
def test_paging_through_any_order_is_the_whole_ordered_answer(
    client: httpx.Client, question: dict[str, Any], page_size: int
) -> None:
    whole = ask(client, first=1000, **question)
    assert {c["status"] for c in whole["coverage"]} == {"OK"}
    nodes = whole["nodes"]
    assert whole["totalCount"] == len(nodes)
    assert not whole["pageInfo"]["hasNextPage"]
    order, near = question["order"], question["filter"]["near"]
    keys = [expected_key(n, order, near) for n in nodes]
    assert keys == sorted(keys), "the answer is not in the documented order"

    paged: list[tuple[str, str]] = []
    after = None
    while True:
        page = ask(client, PAGE, first=page_size, after=after, **question)
        paged += [(n["city"]["id"], n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["nodes"]) == page_size
        after = page["pageInfo"]["endCursor"]
    assert paged == [(n["city"]["id"], n["id"]) for n in nodes]
    RUNS["orders"].add((order["by"], order.get("direction")))


def test_the_property_saw_every_order_and_direction() -> None:
    """Runs after the property (file order): it drew every order in every direction."""
    if not RUNS["orders"]:
        pytest.skip("the property did not run in this session")
    assert {by for by, _ in RUNS["orders"]} == {"OBSERVED_AT", "DISTANCE", "ATTRIBUTE"}
    assert {d for _, d in RUNS["orders"]} == {None, "ASC", "DESC"}


def test_each_kind_places_entities_in_the_order(client: httpx.Client) -> None:
    """Nearest first across kinds: each of the four kinds answers, and the nearest entity
    of the whole federation comes first."""
    near = {"lat": 59.86, "lon": 17.64, "maxDistance": 2e6}
    answer = ask(
        client,
        type="WeatherObserved",
        filter={"cities": list(ONE_OF_EACH_KIND), "near": near},
        order={"by": "DISTANCE"},
        first=1000,
    )
    cities = [n["city"]["id"] for n in answer["nodes"]]
    assert set(cities) == set(ONE_OF_EACH_KIND)
    assert cities[0] == "uppsala"  # the point is in Uppsala
    assert cities[-1] == "helsingborg"  # the farthest of the four


def refusal(client: httpx.Client, **variables: Any) -> str:
    response = send(client, QUERY, **variables)
    body = response.json()
    assert body.get("data") is None or body["data"]["entities"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    message: str = error["message"]
    return message


def test_a_cursor_of_one_order_is_refused_by_another(client: httpx.Client) -> None:
    by_temperature = {"by": "ATTRIBUTE", "attribute": "temperature"}
    first = ask(client, type="WeatherObserved", order=by_temperature, first=5)
    cursor = first["pageInfo"]["endCursor"]
    for other in ({"by": "OBSERVED_AT"}, {**by_temperature, "direction": "DESC"}, None):
        message = refusal(client, type="WeatherObserved", order=other, first=5, after=cursor)
        assert "cursor belongs to another order (attribute temperature asc)" in message
    again = ask(client, type="WeatherObserved", order=by_temperature, first=5, after=cursor)
    assert {n["id"] for n in again["nodes"]}.isdisjoint({n["id"] for n in first["nodes"]})


@pytest.mark.parametrize(
    ("order", "said"),
    [
        ({"by": "DISTANCE"}, "orderBy: DISTANCE measures from filter.near's point"),
        ({"by": "ATTRIBUTE"}, "orderBy.attribute: name the attribute"),
        ({"by": "ATTRIBUTE", "attribute": "a b"}, "orderBy.attribute: not an attribute name"),
        ({"by": "ATTRIBUTE", "attribute": "location"}, "order by location with by: DISTANCE"),
        ({"by": "OBSERVED_AT", "attribute": "pm25"}, "only used with by: ATTRIBUTE"),
    ],
)
def test_an_order_that_cannot_be_followed_is_refused(
    client: httpx.Client, order: dict[str, Any], said: str
) -> None:
    assert said in refusal(client, type="WeatherObserved", order=order)


def test_typed_fields_take_the_order(client: httpx.Client) -> None:
    query = """{ airQualityObserved(first: 1000, orderBy: {by: ATTRIBUTE, attribute: "pm25",
        direction: DESC}) { nodes { pm25 } } }"""
    response = send(client, query)
    values = [n["pm25"] for n in response.json()["data"]["airQualityObserved"]["nodes"]]
    numbers = [v for v in values if v is not None]
    assert numbers
    assert numbers == sorted(numbers, reverse=True)
    assert values == numbers + [None] * (len(values) - len(numbers))
