"""NgsiLdAdapter against the simulated NGSI-LD brokers of citysim, over loopback HTTP.

The cluster's clock is frozen, so every query sees the same world: what a pushed-down
filter returns is compared with the same filter applied locally to everything.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.contract import (
    AdapterContext,
    BBox,
    Near,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.geo import distance_m, is_near, is_within
from adapters.ngsi_ld import NgsiLdAdapter
from citysim.cluster import SimSettings, SimThread

PER_TYPE = 30
NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z
UNIFIED_CITY, DOMAIN_CITY, FAULTY_CITY = "malmo", "lund", "uppsala"
TYPES = (
    "AirQualityObserved",
    "Beach",
    "Device",
    "TrafficFlowObserved",
    "WaterConsumptionObserved",
    "WaterQualityObserved",
    "WeatherObserved",
)
DOMAIN_OF = {
    "AirQualityObserved": "Environment",
    "Beach": "PointOfInterest",
    "Device": "Device",
    "TrafficFlowObserved": "Transportation",
    "WaterConsumptionObserved": "WaterConsumption",
    "WaterQualityObserved": "WaterQuality",
    "WeatherObserved": "Weather",
}
LOG = logging.getLogger("test.ngsi_ld.citysim")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(
        seed=7,
        entities_per_type=PER_TYPE,
        cities=(UNIFIED_CITY, DOMAIN_CITY, FAULTY_CITY),
        clock=lambda: NOW,
        city_context_style={DOMAIN_CITY: "domain"},
    )
    with SimThread(settings) as thread:
        yield thread


Make = Callable[..., NgsiLdAdapter]


@pytest.fixture
async def make(sim: SimThread) -> AsyncIterator[Make]:
    made: list[NgsiLdAdapter] = []

    def factory(city: str = UNIFIED_CITY, timeout_s: float = 10.0, **config: Any) -> NgsiLdAdapter:
        context = AdapterContext(city_id=city, logger=LOG, timeout_s=timeout_s)
        adapter = NgsiLdAdapter({"url": sim.urls[city], **config}, context)
        made.append(adapter)
        return adapter

    yield factory
    for adapter in made:
        await adapter.aclose()


async def everything(adapter: NgsiLdAdapter, entity_type: str = "WeatherObserved") -> SourceResult:
    result = await adapter.fetch_entities(SourceQuery(entity_type, limit=1000))
    assert not result.truncated
    return result


def ids(entities: Any) -> set[str]:
    return {e.id for e in entities}


def located(entity: SourceEntity) -> Any:
    assert entity.location is not None, entity.id
    return entity.location


async def test_type_query(make: Make) -> None:
    result = await everything(make())
    assert result.total_count == PER_TYPE
    assert len(result.entities) == len(ids(result.entities)) == PER_TYPE
    for entity in result.entities:
        assert entity.type == "WeatherObserved"
        assert entity.id.startswith("urn:ngsi-ld:WeatherObserved:")
        assert entity.observed_at is not None
        assert entity.observed_at.utcoffset() == timedelta(0)
        assert isinstance(entity.attributes["temperature"], float | int)
        assert not {"id", "type", "location", "@context"} & set(entity.attributes)
        located(entity)


async def test_every_type_is_served(make: Make) -> None:
    adapter = make()
    for entity_type in TYPES:
        result = await everything(adapter, entity_type)
        assert result.total_count == PER_TYPE, entity_type
        assert {e.type for e in result.entities} == {entity_type}


async def test_attrs_are_pushed_down_and_nothing_else_comes_back(make: Make) -> None:
    adapter = make()
    full = {e.id: e for e in (await everything(adapter)).entities}
    result = await adapter.fetch_entities(
        SourceQuery("WeatherObserved", attrs=("temperature", "windSpeed"), limit=1000)
    )
    assert ids(result.entities) == set(full)
    for entity in result.entities:
        assert set(entity.attributes) <= {"temperature", "windSpeed"}
        assert entity.attributes["temperature"] == full[entity.id].attributes["temperature"]
        assert (entity.location, entity.observed_at) == (
            full[entity.id].location,
            full[entity.id].observed_at,
        )


async def test_near(make: Make) -> None:
    adapter = make()
    everyone = (await everything(adapter)).entities
    centre = located(everyone[0])
    distances = sorted(distance_m(centre, located(e)) for e in everyone)
    radius = distances[len(distances) // 2]
    near = Near(centre, radius)
    result = await adapter.fetch_entities(SourceQuery("WeatherObserved", near=near, limit=1000))
    expected = {e.id for e in everyone if is_near(located(e), near)}
    assert 1 < len(expected) < PER_TYPE
    assert ids(result.entities) >= expected  # never narrower than the gateway's own filter
    for entity in result.entities:  # and wider only by the documented margin
        assert distance_m(centre, located(entity)) <= radius * 1.005 + 2
    assert result.total_count == len(result.entities)


async def test_within_includes_the_box_edges(make: Make) -> None:
    adapter = make()
    everyone = (await everything(adapter)).entities
    corners = [located(e) for e in everyone[:5]]
    box = BBox(
        min_lat=min(p.lat for p in corners),
        min_lon=min(p.lon for p in corners),
        max_lat=max(p.lat for p in corners),
        max_lon=max(p.lon for p in corners),
    )
    result = await adapter.fetch_entities(SourceQuery("WeatherObserved", within=box, limit=1000))
    expected = {e.id for e in everyone if is_within(located(e), box)}
    assert {e.id for e in everyone[:5]} <= expected < ids(everyone)
    assert ids(result.entities) == expected
    assert result.total_count == len(expected)


async def test_time_window(make: Make) -> None:
    adapter = make()
    everyone = (await everything(adapter)).entities
    moments = sorted({e.observed_at for e in everyone if e.observed_at is not None})
    assert len(moments) > 4
    after, before = moments[1], moments[-2]
    result = await adapter.fetch_entities(
        SourceQuery("WeatherObserved", observed_after=after, observed_before=before, limit=1000)
    )
    expected = {
        e.id for e in everyone if e.observed_at is not None and after <= e.observed_at < before
    }
    assert 1 < len(expected) < PER_TYPE
    got = ids(result.entities)
    assert got >= expected
    for entity in result.entities:  # wider only by rounding the bounds to whole seconds
        assert entity.observed_at is not None
        assert after - timedelta(seconds=1) < entity.observed_at < before + timedelta(seconds=1)


async def test_type_without_date_observed_uses_observed_at(make: Make) -> None:
    """WaterConsumptionObserved has no dateObserved: q on it would drop every entity."""
    window = SourceQuery(
        "WaterConsumptionObserved",
        observed_after=datetime.fromtimestamp(NOW, UTC) - timedelta(hours=1),
        limit=1000,
    )
    naive = await make().fetch_entities(window)
    assert (list(naive.entities), naive.total_count) == ([], 0)
    override = {"WaterConsumptionObserved": {"format": "normalized", "time_property": None}}
    result = await make(types=override).fetch_entities(window)
    assert result.total_count == PER_TYPE
    after = window.observed_after
    assert after is not None
    for entity in result.entities:  # what the gateway's own time filter then keeps
        assert entity.observed_at is not None
        assert entity.observed_at >= after


async def test_paging_across_pages(make: Make, caplog: pytest.LogCaptureFixture) -> None:
    everyone = [e.id for e in (await everything(make(page_size=1000))).entities]
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    adapter = make(page_size=4)
    result = await adapter.fetch_entities(SourceQuery("WeatherObserved", limit=1000))
    assert [e.id for e in result.entities] == everyone
    assert (result.total_count, result.truncated) == (PER_TYPE, False)
    requests = [r for r in caplog.records if r.getMessage().startswith("GET ")]
    assert len(requests) == math.ceil(PER_TYPE / 4)


async def test_paging_stops_at_the_limit(make: Make) -> None:
    everyone = [e.id for e in (await everything(make())).entities]
    result = await make(page_size=4).fetch_entities(
        SourceQuery("WeatherObserved", limit=10, offset=3)
    )
    assert [e.id for e in result.entities] == everyone[3:13]
    assert (result.total_count, result.truncated) == (PER_TYPE, True)


async def test_count_only(make: Make) -> None:
    result = await make().fetch_entities(SourceQuery("WeatherObserved", limit=0))
    assert (list(result.entities), result.total_count, result.truncated) == ([], PER_TYPE, True)


@pytest.mark.parametrize("entity_type", TYPES)
async def test_keyvalues_and_normalized_map_alike(make: Make, entity_type: str) -> None:
    kv = (await everything(make(format="keyValues"), entity_type)).entities
    nz = (await everything(make(format="normalized"), entity_type)).entities
    assert [(e.id, e.type, e.location, e.attributes) for e in kv] == [
        (e.id, e.type, e.location, e.attributes) for e in nz
    ]
    for k, n in zip(kv, nz, strict=True):
        if "dateObserved" in k.attributes:
            assert k.observed_at == n.observed_at is not None
        else:  # keyValues has no observedAt to fall back on
            assert k.observed_at is None


async def test_domain_context_city_needs_its_type_contexts(make: Make) -> None:
    unified = await make(DOMAIN_CITY).fetch_entities(SourceQuery("WeatherObserved"))
    assert (list(unified.entities), unified.total_count) == ([], 0)
    types = {
        t: {
            "context": "https://raw.githubusercontent.com/smart-data-models/"
            f"dataModel.{d}/master/context.jsonld"
        }
        for t, d in DOMAIN_OF.items()
    }
    adapter = make(DOMAIN_CITY, types=types)
    reference = make(UNIFIED_CITY)
    for entity_type in TYPES:
        result = await everything(adapter, entity_type)
        assert result.total_count == PER_TYPE
        (sample,) = (await reference.fetch_entities(SourceQuery(entity_type, limit=1))).entities
        names = set().union(*(e.attributes for e in result.entities))
        assert set(sample.attributes) <= names  # the same short names as with the unified context
        assert all(":" not in name for name in names), names
        assert {e.type for e in result.entities} == {entity_type}


async def test_down_is_unavailable(sim: SimThread, make: Make) -> None:
    adapter = make(FAULTY_CITY)
    sim.set_fault(FAULTY_CITY, "down")
    try:
        with pytest.raises(UpstreamUnavailable):
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        sim.heal(FAULTY_CITY)
    assert (await adapter.fetch_entities(SourceQuery("WeatherObserved"))).total_count == PER_TYPE


async def test_hang_is_a_timeout(sim: SimThread, make: Make) -> None:
    adapter = make(FAULTY_CITY, timeout_s=0.3)
    sim.set_fault(FAULTY_CITY, "hang")
    try:
        with pytest.raises(UpstreamTimeout):
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        sim.heal(FAULTY_CITY)


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, UpstreamError), (502, UpstreamError), (404, UpstreamError), (503, UpstreamUnavailable)],
)
async def test_error_statuses(
    sim: SimThread, make: Make, status: int, error: type[UpstreamError]
) -> None:
    adapter = make(FAULTY_CITY)
    sim.set_fault(FAULTY_CITY, "error", status=status)
    try:
        with pytest.raises(UpstreamError) as info:
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        sim.heal(FAULTY_CITY)
    assert type(info.value) is error
    assert info.value.status == status
    assert "simulated fault" in str(info.value)


async def test_garbage_is_a_protocol_error(sim: SimThread, make: Make) -> None:
    adapter = make(FAULTY_CITY)
    sim.set_fault(FAULTY_CITY, "garbage")
    try:
        with pytest.raises(UpstreamProtocolError, match="not valid JSON"):
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        sim.heal(FAULTY_CITY)


async def test_aclose_is_idempotent(make: Make) -> None:
    adapter = make()
    await adapter.fetch_entities(SourceQuery("WeatherObserved", limit=1))
    await adapter.aclose()
    await adapter.aclose()
    with pytest.raises(UpstreamUnavailable, match="closed"):
        await adapter.fetch_entities(SourceQuery("WeatherObserved"))
