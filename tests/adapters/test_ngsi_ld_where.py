"""``where`` -> NGSI-LD ``q``: what is pushed, what is left to the gateway (ADR 0018)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.contract import AdapterContext, Comparison, Condition, JSONValue, SourceQuery
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.config import TypeSettings
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.query import entity_params
from adapters.ngsi_ld.where import where_clauses
from adapters.sdk.conditions import all_hold, plain_number
from citysim.ngsi_ld.q import parse
from tests.conformance import truth
from tests.support.sim import Sim

C = Comparison
KEY_VALUES = TypeSettings()
TERMS = term_map(KEY_VALUES.context)


def clauses(
    *conditions: Condition, settings: TypeSettings = KEY_VALUES, entity_type: str = "Beach"
) -> list[str]:
    return where_clauses(conditions, entity_type, settings, TERMS)


@pytest.mark.parametrize(
    ("condition", "clause"),
    [
        (Condition("occupationRate", C.GT, 25), "occupationRate>25"),
        (Condition("occupationRate", C.LTE, 0.5), "occupationRate<=0.5"),
        (Condition("occupationRate", C.EQ, 1e-7), "occupationRate==0.0000001"),
        (Condition("occupationRate", C.NE, 3), "occupationRate!=3"),
        (Condition("name", C.EQ, "Ribersborg"), 'name=="Ribersborg"'),
        (Condition("name", C.IN, ["Malmö strand", "Lomma", 2]), 'name=="Malmö strand","Lomma",2'),
        (Condition("accessible", C.EQ, True), "accessible==true"),
        (Condition("name", C.EXISTS, True), "name"),
    ],
)
def test_sound_conditions_are_pushed(condition: Condition, clause: str) -> None:
    assert clauses(condition) == [clause]
    parse(clause)  # citysim's q grammar takes it


@pytest.mark.parametrize(
    "condition",
    [
        Condition("name", C.GT, "M"),  # string order: brokers collate their own way
        Condition("name", C.NE, "Lomma"),
        Condition("name", C.EXISTS, False),  # null is present to a broker
        Condition("name", C.CONTAINS, "strand"),
        Condition("name", C.EQ, 'say "hi"'),  # quoting differs between brokers
        Condition("name", C.EQ, "a;b"),
        Condition("dateObserved", C.EQ, "2026-01-01T00:00:00Z"),  # a DateTime to a broker
        Condition("dateObserved", C.EQ, "2026-01-01"),
        Condition("refDevice", C.EQ, "urn:ngsi-ld:Device:1"),  # a URI
        Condition("name", C.IN, ["Lomma", "a,b"]),  # one member that cannot be said
        Condition("accessible", C.GT, True),
        Condition("https://example.org/x", C.EQ, 1),
    ],
)
def test_unsound_conditions_stay_in_the_gateway(condition: Condition) -> None:
    assert clauses(condition) == []


def test_numbers_on_attributes_with_a_unit_stay_in_the_gateway_in_normalized_form() -> None:
    """normalized answers are converted per entity from their unitCode (e.g. °F to °C)."""
    hot = Condition("temperature", C.GT, 20)
    assert clauses(hot, entity_type="WeatherObserved") == ["temperature>20"]
    normalized = TypeSettings(format="normalized")
    assert clauses(hot, settings=normalized, entity_type="WeatherObserved") == []
    count = Condition("occupationRate", C.GT, 0.5)
    assert clauses(count, settings=normalized) == ["occupationRate>0.5"]


def test_where_joins_the_time_window_in_one_q() -> None:

    query = SourceQuery(
        "Beach",
        observed_after=datetime(2026, 1, 1, tzinfo=UTC),
        where=(Condition("occupationRate", C.GT, 0.5), Condition("name", C.CONTAINS, "x")),
    )
    q = dict(entity_params(query, KEY_VALUES, 10, terms=TERMS))["q"]
    assert q == "dateObserved>=2026-01-01T00:00:00Z;occupationRate>0.5"
    assert "q" not in dict(entity_params(SourceQuery("Beach", where=query.where), KEY_VALUES, 10))


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53))
def test_numbers_are_written_without_an_exponent_and_keep_their_value(value: float) -> None:
    text = plain_number(value)
    assert "e" not in text.lower()
    assert float(text) == value
    parse(f"a=={text}")


def test_values_of_other_kinds_are_not_pushed() -> None:
    odd: list[JSONValue] = [None, [1], {"a": 1}]
    assert clauses(*(Condition("occupationRate", C.EQ, v) for v in odd)) == []


async def test_the_broker_filters_and_the_answer_is_what_the_conditions_keep(sim: Sim) -> None:
    """Against citysim's broker: ``q`` carries the pushed conditions (the broker answers
    fewer entities), and the adapter's answer is the conditions applied to everything."""
    city, options = truth.demo_options("ngsi-ld", sim.urls["stockholm"])
    adapter = NgsiLdAdapter(options, AdapterContext(city, logging.getLogger("test")))
    try:
        everything = (await adapter.fetch_entities(SourceQuery("AirQualityObserved"))).entities
        indices = sorted(e.attributes["airQualityIndex"] for e in everything)
        middle = sorted(e.attributes["no2"] for e in everything)[len(everything) // 2]
        where = (
            Condition("airQualityIndex", C.GTE, indices[len(indices) // 3]),  # no unit: pushed
            Condition("no2", C.GT, middle),  # normalized: unitCode per entity, gateway-only
        )
        kept = sorted(e.id for e in everything if all_hold(where, e.attributes))
        got = await adapter.fetch_entities(SourceQuery("AirQualityObserved", where=where))
        assert sorted(e.id for e in got.entities) == kept
        settings = adapter.config.for_type("AirQualityObserved")
        terms = term_map(settings.context)
        params = entity_params(
            SourceQuery("AirQualityObserved", where=where), settings, 1000, terms=terms
        )
        assert dict(params)["q"] == f"airQualityIndex>={indices[len(indices) // 3]}"
    finally:
        await adapter.aclose()
    headers = {"Link": f'<{settings.context}>; rel="http://www.w3.org/ns/json-ld#context"'}
    async with httpx.AsyncClient() as http:
        url = f"{adapter.config.entities_url}"
        filtered = (await http.get(url, params=tuple(params), headers=headers)).json()
        plain = [(k, v) for k, v in params if k != "q"]
        unfiltered = (await http.get(url, params=tuple(plain), headers=headers)).json()
    assert len(kept) <= len(filtered) < len(unfiltered)
