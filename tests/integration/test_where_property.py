"""Property: a ``where`` answer is the unfiltered answer filtered by the conditions (ADR 0018).

The demo federation on the session's simulated platforms (frozen clock), asked over
HTTP, one city of each platform kind (NGSI-LD, SensorThings, Lynx, REST/JSON) in every
example and perhaps more. Each example draws a type and a list of conditions (values
taken from what the cities hold, so that conditions match some entities and not
others). The answer with ``where`` (pushed down as far as each platform can) must be
exactly the entities of the unfiltered answer for which every condition holds,
evaluated here with ``adapters.sdk.conditions``: a push-down that dropped an entity
the gateway would keep, or kept a wrong one, shows as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.contract import Comparison, Condition
from adapters.sdk.conditions import all_hold, kind_of
from tests.integration.test_multi_kind_federation import demo_pointed_at
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

EXAMPLES = 200
ONE_OF_EACH_KIND = ("stockholm", "uppsala", "eskilstuna", "helsingborg")
"""NGSI-LD, SensorThings, Lynx and REST/JSON: in every example."""
MORE = ("malmo", "linkoping", "kalmar", "goteborg")
TYPES = (
    "WeatherObserved",
    "AirQualityObserved",
    "Beach",
    "TrafficFlowObserved",
    "WaterQualityObserved",
)
QUERY = """
query($type: String!, $filter: EntityFilter, $where: [WhereCondition!], $first: Int) {
  entities(type: $type, filter: $filter, where: $where, first: $first) {
    nodes { id city { id } attributes }
    pageInfo { hasNextPage }
    coverage { city { id } status }
  }
}
"""


@pytest.fixture(scope="module")
def client(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    path = demo_pointed_at(dict(sim.urls), tmp_path_factory.mktemp("where") / "federation.yaml")
    with GatewayServer(str(path)) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


def ask(client: httpx.Client, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": QUERY, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    answer: dict[str, Any] = body["data"]["entities"]
    assert not answer["pageInfo"]["hasNextPage"]
    return answer


@pytest.fixture(scope="module")
def held(client: httpx.Client) -> dict[str, dict[str, list[Any]]]:
    """Per type, per attribute: the scalar values the cities hold (what conditions draw on)."""
    cities = [*ONE_OF_EACH_KIND, *MORE]
    found: dict[str, dict[str, list[Any]]] = {}
    for entity_type in TYPES:
        nodes = ask(client, type=entity_type, filter={"cities": cities}, first=1000)["nodes"]
        values: dict[str, list[Any]] = {}
        for node in nodes:
            for name, value in node["attributes"].items():
                if kind_of(value) is not None and not (isinstance(value, str) and len(value) > 200):
                    values.setdefault(name, []).append(value)
        found[entity_type] = {k: sorted(set(v), key=repr) for k, v in sorted(values.items())}
    return found


def conditions(values: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """One condition as GraphQL variables, on an attribute some city holds (or none does)."""
    names = [*sorted(values), "noSuchAttribute"]

    @st.composite
    def condition(draw: st.DrawFn) -> dict[str, Any]:
        name = draw(st.sampled_from(names))
        pool = values.get(name) or [0, "x", True]
        op = draw(st.sampled_from(list(Comparison)))
        value: Any
        if op is Comparison.EXISTS:
            value = draw(st.booleans())
        elif op is Comparison.IN:
            value = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
        elif op is Comparison.CONTAINS:
            texts = [v for v in pool if isinstance(v, str) and v] or ["a"]
            text = draw(st.sampled_from(texts))
            start = draw(st.integers(0, len(text) - 1))
            value = text[start : draw(st.integers(start + 1, len(text)))]
            value = draw(st.sampled_from([value, value.upper(), value.lower()])) or value
        else:
            ordered = op in (Comparison.GT, Comparison.GTE, Comparison.LT, Comparison.LTE)
            choices = [v for v in pool if not (ordered and isinstance(v, bool))] or [0]
            value = draw(st.sampled_from(choices))
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and draw(st.booleans())
            ):
                value = value + draw(st.sampled_from([-0.5, 0.5, 1]))
        return {"attribute": name, "op": op.name, "value": value}

    return condition()


@st.composite
def questions(draw: st.DrawFn, held: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
    entity_type = draw(st.sampled_from(TYPES))
    extra = draw(st.lists(st.sampled_from(MORE), unique=True, max_size=2))
    where = draw(st.lists(conditions(held[entity_type]), min_size=1, max_size=3))
    return {"type": entity_type, "filter": {"cities": [*ONE_OF_EACH_KIND, *extra]}, "where": where}


def as_condition(given: dict[str, Any]) -> Condition:
    return Condition(given["attribute"], Comparison[given["op"]], given["value"])


RUNS: dict[str, int] = {"matched": 0, "empty": 0}


def test_filtered_answers_equal_the_gateway_only_answer(
    client: httpx.Client, held: dict[str, dict[str, list[Any]]]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(question=questions(held))
    def check(question: dict[str, Any]) -> None:
        unfiltered = {k: v for k, v in question.items() if k != "where"}
        everything = ask(client, first=1000, **unfiltered)
        wanted = [as_condition(c) for c in question["where"]]
        expected = sorted(
            (n["city"]["id"], n["id"])
            for n in everything["nodes"]
            if all_hold(wanted, n["attributes"])
        )
        answer = ask(client, first=1000, **question)
        assert {c["status"] for c in answer["coverage"]} == {"OK"}
        got = sorted((n["city"]["id"], n["id"]) for n in answer["nodes"])
        assert got == expected
        RUNS["matched" if got else "empty"] += 1

    check()
    assert RUNS["matched"] >= EXAMPLES // 10, RUNS  # the conditions were not all vacuous


def post(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_typed_fields_where_is_the_same_condition(client: httpx.Client) -> None:
    """The generated fields' typed ``where`` (``{temperature: {lt: 3}}``) converts into
    the same conditions as ``entities(where:)``: both answers name the same entities."""
    cities = ["stockholm", "uppsala", "eskilstuna", "helsingborg"]
    typed = """query($where: WeatherObservedWhere, $cities: [ID!]) {
      weatherObserved(first: 1000, filter: {cities: $cities}, where: $where) {
        nodes { id temperature } } }"""
    generic = """query($where: [WhereCondition!], $cities: [ID!]) {
      entities(type: "WeatherObserved", first: 1000, filter: {cities: $cities}, where: $where) {
        nodes { id } } }"""
    everything = post(client, typed, cities=cities)["data"]["weatherObserved"]["nodes"]
    temperatures = sorted(n["temperature"] for n in everything if n["temperature"] is not None)
    middle = temperatures[len(temperatures) // 2]
    cold = post(client, typed, cities=cities, where={"temperature": {"lt": middle}})
    same = post(
        client,
        generic,
        cities=cities,
        where=[{"attribute": "temperature", "op": "LT", "value": middle}],
    )
    ids = sorted(n["id"] for n in cold["data"]["weatherObserved"]["nodes"])
    assert ids
    assert ids == sorted(n["id"] for n in same["data"]["entities"]["nodes"])
    assert ids == sorted(
        n["id"] for n in everything if n["temperature"] is not None and n["temperature"] < middle
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            [{"attribute": "pm25", "op": "GT", "value": 1}, {"attribute": "a", "op": "IN"}],
            "where[1].value: IN needs a list",
        ),
        ([{"attribute": "pm25", "op": "GT", "value": "x" * 300}], "where[0].value: a string"),
        ([{"attribute": "pm25", "op": "GT", "value": [1]}], "where[0].value: GT needs"),
    ],
)
def test_bad_conditions_are_refused_before_any_city_is_asked(
    client: httpx.Client, where: list[dict[str, Any]], message: str
) -> None:
    body = post(
        client,
        'query($where: [WhereCondition!]) { entities(type: "AirQualityObserved", where: $where)'
        " { nodes { id } } }",
        where=where,
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in body["errors"][0]["message"]
    assert "Traceback" not in str(body)


def test_an_unknown_comparison_is_refused_by_the_schema(client: httpx.Client) -> None:
    body = post(
        client,
        '{ entities(type: "Beach", where: [{attribute: "name", op: LIKE, value: "x"}])'
        " { nodes { id } } }",
    )
    assert "errors" in body
    assert "LIKE" in body["errors"][0]["message"]
