"""Discovery under the grants (gateway/query/discovery.py) and its cache
(gateway/query/discovery_cache.py), without a network: what each rule leaves of a type's
description, and how long a description is used."""

from __future__ import annotations

from typing import Any

import pytest

from adapters import AttributeInfo, DiscoveryQuery, DiscoveryResult, TypeInfo
from gateway.federation.model import RowFilter, Rules
from gateway.query.coverage import CoverageStatus
from gateway.query.discovery import DiscoveryStep, OfferedType, TypeGrant, _offer
from gateway.query.discovery_cache import DiscoveryCache
from tests.support.manual_clock import ManualClock

WEATHER = TypeInfo(
    "WeatherObserved",
    12,
    (AttributeInfo("address"), AttributeInfo("temperature", "CEL", "°C")),
)
WATER = TypeInfo("WaterConsumptionObserved", 12, (AttributeInfo("waterConsumption", "LTR", "L"),))


def offered(rules: Rules, *, allowed: bool = True) -> dict[str, OfferedType]:
    grants = {
        "WeatherObserved": TypeGrant(allowed, rules, "a"),
        "WaterConsumptionObserved": TypeGrant(False, Rules(), "b"),
        "Beach": TypeGrant(True, Rules(), "c"),
    }
    step = DiscoveryStep("malmo", DiscoveryQuery(("WeatherObserved",)), grants, "abc")
    offer = _offer(step, DiscoveryResult([WEATHER, WATER]))
    return {t.name: t for t in offer.types}


def test_full_access_shows_the_description_as_the_platform_gave_it() -> None:
    found = offered(Rules())
    assert found["WeatherObserved"] == OfferedType("WeatherObserved", True, 12, WEATHER.attributes)


def test_a_type_the_caller_may_not_read_is_a_name_only() -> None:
    found = offered(Rules())
    assert found["WaterConsumptionObserved"] == OfferedType(
        "WaterConsumptionObserved", False, None, ()
    )


def test_a_readable_type_the_platform_lacks_has_none() -> None:
    assert offered(Rules())["Beach"] == OfferedType("Beach", True, 0, ())


@pytest.mark.parametrize(
    "rules",
    [Rules(drop=frozenset({"temperature"})), Rules(keep=frozenset({"address", "location"}))],
)
def test_dropped_attributes_are_absent(rules: Rules) -> None:
    assert [a.name for a in offered(rules)["WeatherObserved"].attributes] == ["address"]


@pytest.mark.parametrize(
    "rules",
    [
        Rules(where=(RowFilter("temperature", "gt", 0),)),
        Rules(older_than_min=60),
        Rules(aggregate_only=True, min_group_size=13),
    ],
)
def test_a_count_that_could_tell_about_hidden_rows_is_withheld(rules: Rules) -> None:
    found = offered(rules)["WeatherObserved"]
    assert found.readable is True
    assert found.count is None


def test_a_statistics_grant_with_a_group_reached_shows_the_count() -> None:
    assert offered(Rules(aggregate_only=True, min_group_size=12))["WeatherObserved"].count == 12


def test_a_city_that_failed_lists_its_readable_types_without_facts() -> None:
    grants = {"WeatherObserved": TypeGrant(True, Rules(), "a")}
    step = DiscoveryStep("malmo", DiscoveryQuery(("WeatherObserved",)), grants, "a")
    assert _offer(step, None).types == (OfferedType("WeatherObserved", True, None, ()),)


def test_nothing_readable_asks_nothing() -> None:
    from gateway.query.discovery import _plan

    grants = {"WeatherObserved": TypeGrant(False, Rules(), "a")}
    nowhere: Any = None  # no runtime: nothing may be asked
    step = _plan("malmo", grants, nowhere)
    assert step.refusal is not None
    assert step.refusal.status is CoverageStatus.OK


RESULT = DiscoveryResult([WEATHER])


def test_an_answer_is_fresh_then_only_a_stand_in_on_error_then_gone() -> None:
    clock = ManualClock()
    cache = DiscoveryCache(clock, fresh_s=300, stale_if_error_s=3600)
    cache.put("k", RESULT)
    assert cache.fresh("k") == RESULT
    clock.advance(301)
    assert cache.fresh("k") is None
    stand_in = cache.on_error("k")
    assert stand_in is not None
    assert stand_in.result == RESULT
    assert cache.age(stand_in) == 301
    clock.advance(3600)
    assert cache.on_error("k") is None


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used() -> None:
    cache = DiscoveryCache(ManualClock(), max_entries=2)
    cache.put("a", RESULT)
    cache.put("b", RESULT)
    assert cache.fresh("a") == RESULT  # a is now the most recently used
    cache.put("c", RESULT)
    assert len(cache) == 2
    assert cache.fresh("b") is None
    assert cache.fresh("a") == RESULT


async def test_a_city_with_nothing_readable_answers_not_found_without_asking() -> None:
    from gateway.query.lookup import LookupAnswer, find_entity
    from gateway.query.planner import CityStep

    def never(entity_type: str) -> CityStep:
        raise AssertionError("no row step for a city with nothing readable")

    nowhere: Any = None  # no runtime: nothing may be asked
    answer = await find_entity("malmo", "urn:ngsi-ld:Beach:1", (), "", never, nowhere, 0.0)
    assert answer == LookupAnswer(None, ())
