"""LynxAdapter against citysim's Lynx installations, over HTTP: key, units, status, log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from adapters.contract import AdapterContext, Aggregation, HistoryQuery, SourceQuery
from adapters.errors import ConfigError, UpstreamError
from adapters.lynx import LynxAdapter
from adapters.lynx import adapter as adapter_module
from adapters.lynx import history as history_module
from citysim.cluster import SimSettings, SimThread
from citysim.lynx import DEMO_API_KEY
from citysim.lynx.model import DEVICES, HISTORY, Installation
from citysim.world.catalog import BY_TYPE
from tests.conformance import truth

SEED, PER_TYPE, NOW = 1, 4, 1_795_000_000.0
CITY, IID = "malmo", 1280
"""Malmö's installation reports wind in km/h (seed 1)."""
LOG = logging.getLogger("test.lynx")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=SEED, entities_per_type=PER_TYPE, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


Make = Callable[..., LynxAdapter]


@pytest.fixture
async def make(sim: SimThread) -> AsyncIterator[Make]:
    made: list[LynxAdapter] = []

    def factory(**changes: Any) -> LynxAdapter:
        _, options = truth.demo_options("lynx", sim.urls[CITY])
        config = {**options, "installation_id": IID, **changes}
        adapter = LynxAdapter(config, AdapterContext(city_id=CITY, logger=LOG, timeout_s=5))
        made.append(adapter)
        return adapter

    yield factory
    for adapter in made:
        await adapter.aclose()


def world(sim: SimThread, entity_type: str = "WeatherObserved") -> Any:
    return truth.current(truth.world(sim, CITY), entity_type)


async def test_values_come_in_the_data_models_units(sim: SimThread, make: Make) -> None:
    installation = Installation(truth.world(sim, CITY))
    wind = next(k for k in DEVICES["WeatherObserved"][1] if k.attribute == "windSpeed")
    assert installation.unit(wind).symbol == "km/h"
    result = await make().fetch_entities(SourceQuery("WeatherObserved"))
    expected = {e.id: e for e in world(sim)}
    assert [e.id for e in result.entities] == list(expected)
    for entity in result.entities:
        values = expected[entity.id].values
        assert entity.attributes["windSpeed"] == pytest.approx(values["windSpeed"], rel=1e-12)
        assert entity.attributes["relativeHumidity"] == pytest.approx(values["relativeHumidity"])
        assert entity.observed_at == truth.instant(expected[entity.id].observed_at)


async def test_words_come_from_the_status_msg(sim: SimThread, make: Make) -> None:
    result = await make().fetch_entities(SourceQuery("Beach"))
    assert [e.attributes for e in result.entities] == [
        {"occupationRate": e.values["occupationRate"]} for e in world(sim, "Beach")
    ]


async def test_a_wrong_key_is_a_401_that_never_shows_the_key(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    with pytest.raises(UpstreamError) as info:
        await make(api_key="not-the-key").fetch_entities(SourceQuery("WeatherObserved"))
    assert info.value.status == 401
    assert "the Lynx server answered HTTP 401: Unauthorized" in str(info.value)
    assert "not-the-key" not in caplog.text + str(info.value)


async def test_bearer_authentication(make: Make) -> None:
    result = await make(auth="bearer").fetch_entities(SourceQuery("WeatherObserved", limit=1))
    assert len(result.entities) == 1


async def test_another_installation_is_forbidden(make: Make) -> None:
    with pytest.raises(UpstreamError) as info:
        await make(installation_id=IID + 1).fetch_entities(SourceQuery("WeatherObserved"))
    assert info.value.status == 403


async def test_many_topics_are_posted(
    make: Make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = await make().fetch_entities(SourceQuery("AirQualityObserved"))
    monkeypatch.setattr(adapter_module, "MAX_QUERY", 10)
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    posted = await make().fetch_entities(SourceQuery("AirQualityObserved"))
    assert posted == expected
    assert any(r.getMessage().startswith("POST /api/v2/status/") for r in caplog.records)


async def test_attributes_are_pushed_down_as_topics(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    result = await make().fetch_entities(
        SourceQuery("WeatherObserved", attrs=("temperature", "colour"))
    )
    assert {tuple(e.attributes) for e in result.entities} == {("temperature",)}
    assert all(e.observed_at is not None for e in result.entities)


async def test_ids_default_to_installation_and_device(make: Make) -> None:
    result = await make(id_meta=None).fetch_entities(SourceQuery("WeatherObserved"))
    assert [e.id for e in result.entities] == [
        f"urn:ngsi-ld:WeatherObserved:{IID}-{n}" for n in range(1, PER_TYPE + 1)
    ]


async def test_history_is_the_log_of_the_window(
    sim: SimThread, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_module, "PAGE", 3)
    city_world = truth.world(sim, CITY)
    model = BY_TYPE["WeatherObserved"]
    buckets = range(city_world.bucket() - 5, city_world.bucket() + 1)
    first = city_world.entities(model, buckets[0])[1]
    last = city_world.entities(model, buckets[-1])[1]
    query = HistoryQuery(
        "WeatherObserved",
        after=truth.instant(first.observed_at),
        before=truth.instant(last.observed_at) + timedelta(milliseconds=1),
        entity_id=first.id,
        attrs=("windSpeed",),
    )
    adapter = make()
    (history,) = (await adapter.fetch_history(query)).entities
    expected = [city_world.entities(model, b)[1].values["windSpeed"] for b in buckets]
    assert history.id == first.id
    assert [p.value for p in history.series["windSpeed"]] == pytest.approx(expected)
    highest = await adapter.fetch_history(
        HistoryQuery(
            "WeatherObserved",
            after=query.after,
            before=query.before,
            attrs=("windSpeed",),
            aggregation=Aggregation("max"),
            limit=2,
        )
    )
    assert len(highest.entities) == 2
    assert highest.truncated
    (peak,) = highest.entities[1].series["windSpeed"]
    assert peak.value == pytest.approx(max(expected))
    assert len(buckets) < HISTORY


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"api_key": ""}, "api_key"),
        ({"installation_id": 0}, "installation_id"),
        ({"auth": "basic"}, "auth"),
        ({"types": {}}, "types"),
        ({"types": {"T": {"device_type": "d"}}}, "types.T.functions"),
        (
            {"types": {"T": {"device_type": "d", "functions": {"a": "b"}, "messages": {"a": "c"}}}},
            "types.T.messages.a",
        ),
    ],
)
def test_config_problems_name_their_key(change: dict[str, Any], key: str) -> None:
    _, options = truth.demo_options("lynx", "https://lynx.iotopen.se")
    with pytest.raises(ConfigError) as info:
        LynxAdapter.validate_config({**options, **change})
    assert info.value.key == key
    assert DEMO_API_KEY not in repr(LynxAdapter.validate_config(options))
