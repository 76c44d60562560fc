"""The price list of gateway/graphql/limits/cost.py, on the real schema."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from gateway.graphql.limits.cost import Prices, operation_cost
from gateway.graphql.schema import build_schema

SCHEMA = build_schema()._schema
PRICES = Prices(cities=18, default_page_size=100, max_page_size=1000, cost_per_city=50)
WEATHER = """
query($first: Int, $filter: EntityFilter) {
  entities(type: "WeatherObserved", first: $first, filter: $filter) {
    nodes { id city { id } observedAt location { lat lon } attributes }
    pageInfo { hasNextPage endCursor }
    totalCount
    coverage { city { id } status }
  }
}
"""


def cost(source: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    found, errors = operation_cost(SCHEMA, parse(source), name, variables, PRICES)
    assert errors == []
    return found


def test_a_fan_out_costs_its_cities_and_its_page() -> None:
    # 18 cities x 50, 1 for the connection, 1000 nodes x 1, 18 coverage entries x 1
    assert cost(WEATHER, {"first": 1000}) == 18 * 50 + 1 + 1000 + 18
    assert cost(WEATHER, {"first": 10, "filter": {"cities": ["malmo", "lund"]}}) == (
        2 * 50 + 1 + 10 + 2
    )
    assert cost(WEATHER) == 18 * 50 + 1 + 100 + 18  # the default page size


def test_literal_arguments_and_variable_defaults_count_too() -> None:
    literal = '{ weatherObserved(first: 7, filter: {cities: ["umea"]}) { nodes { id } } }'
    assert cost(literal) == 50 + 1 + 7
    defaulted = "query($n: Int = 3) { weatherObserved(first: $n) { nodes { id } } }"
    assert cost(defaulted) == 18 * 50 + 1 + 3


def test_every_root_field_adds_up() -> None:
    one = cost(WEATHER, {"first": 1000})
    two = WEATHER.replace("entities(", "a: entities(").replace(
        "}\n}",
        "}\n  b: entities(" + ('type: "AirQualityObserved", first: $first) { nodes { id } } }'),
        1,
    )
    assert cost(two, {"first": 1000}) == one + 18 * 50 + 1 + 1000


def test_local_fields_cost_little() -> None:
    assert cost("{ cities { id name platform { kind } } }") == 18
    assert cost("{ viewer { anonymous scopes } }") == 0
    assert cost("{ __schema { types { name fields { name } } } }") == 0


def test_objects_of_scalars_are_part_of_their_item() -> None:
    plain = '{ entities(type: "WeatherObserved") { nodes { id } } }'
    richer = (
        '{ entities(type: "WeatherObserved") '
        "{ nodes { id city { id platform { kind } } location { lat lon } } } }"
    )
    assert cost(richer) == cost(plain) == 18 * 50 + 1 + 100


def test_the_selected_operation_is_costed() -> None:
    source = 'query A { cities { id } } query B { entities(type: "Beach") { nodes { id } } }'
    assert cost(source, name="A") == 18
    assert cost(source, name="B") == 18 * 50 + 1 + 100


@pytest.mark.parametrize("first", [1001, -1, 10**9])
def test_a_page_outside_the_maximum_is_refused_before_running(first: int) -> None:
    _, errors = operation_cost(SCHEMA, parse(WEATHER), None, {"first": first}, PRICES)
    assert [e.message for e in errors] == [
        f"first: {first} is outside 0..1000 (the maximum page size)"
    ]
    assert errors[0].extensions == {"code": "BAD_USER_INPUT"}


def test_fragments_are_costed_where_they_are_spread() -> None:
    source = """
    query {
      a: entities(type: "Beach") { ...Page }
      b: entities(type: "Beach", first: 5) { ...Page }
    }
    fragment Page on EntityConnection { nodes { id } }
    """
    assert cost(source) == 2 * (18 * 50 + 1) + 100 + 5


def test_m2_a_float_page_size_is_priced_as_given() -> None:
    """Finding M2: ``first: $n`` with n = 1000.0 was priced at the default page size."""
    assert cost(WEATHER, {"first": 1000.0}) == cost(WEATHER, {"first": 1000})
    _, errors = operation_cost(SCHEMA, parse(WEATHER), None, {"first": 5000.0}, PRICES)
    assert [e.message for e in errors] == ["first: 5000 is outside 0..1000 (the maximum page size)"]


HISTORY = """
query($from: DateTime!, $to: DateTime, $attrs: [String!], $lastN: Int,
      $aggregate: HistoryAggregate, $first: Int) {
  history(type: "WeatherObserved", from: $from, to: $to, attrs: $attrs, lastN: $lastN,
          aggregate: $aggregate, first: $first) {
    nodes { id series { attribute points { at value } } }
  }
}
"""
TWELVE_HOURS = {"from": "2026-11-25T00:00:00Z", "to": "2026-11-25T12:00:00Z"}


def test_m3_history_costs_the_points_its_window_can_hold() -> None:
    """Finding M3: a 12-hour raw history root was costed 1,019 and returned 386,441 points."""
    fan_out = 18 * 50 + 1
    # raw: each series holds at most 1,000 points (the gateway cuts it there), 10 series priced
    assert cost(HISTORY, TWELVE_HOURS) == fan_out + 100 * (1 + 10 * (1 + 1000))
    # the newest 3 values of 2 attributes of 30 entities
    few = {**TWELVE_HOURS, "attrs": ["temperature", "windSpeed"], "lastN": 3, "first": 30}
    assert cost(HISTORY, few) == fan_out + 30 * (1 + 2 * (1 + 3))
    # hourly maxima over 12 hours: 12 periods per series
    hourly = {
        **TWELVE_HOURS,
        "attrs": ["temperature"],
        "aggregate": {"method": "MAX", "period": "PT1H"},
    }
    assert cost(HISTORY, hourly) == fan_out + 100 * (1 + 1 * (1 + 12))
