"""NgsiLdAdapter's HTTP manners against citysim: conditional requests, Retry-After, the size
cap, Cache-Control; every request counted by the gateway's trace hook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from adapters.contract import AdapterContext, Revalidating, SourceQuery
from adapters.errors import UpstreamProtocolError, UpstreamUnavailable
from adapters.http import retry_after_seconds
from adapters.ngsi_ld import NgsiLdAdapter
from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from gateway.ops.metrics import Metrics
from gateway.ops.upstream_trace import upstream_trace
from tests.citysim.sim_http import ManualClock

LOG = logging.getLogger("test.ngsi_ld.conditional")
WEATHER = SourceQuery("WeatherObserved", limit=30)


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(seed=3, cities=("malmo",), entities_per_type=25, clock=ManualClock())
    async with SimCluster(settings) as running:
        yield running


def requests(metrics: Metrics, outcome: str) -> float:
    return float(metrics.upstream_requests.labels("malmo", outcome)._value.get())


@pytest.fixture
async def counted(cluster: SimCluster) -> AsyncIterator[tuple[NgsiLdAdapter, Metrics]]:
    metrics = Metrics()
    context = AdapterContext(
        city_id="malmo", logger=LOG, trace_configs=(upstream_trace("malmo", metrics),)
    )
    adapter = NgsiLdAdapter({"url": cluster.urls["malmo"], "page_size": 10}, context)
    yield adapter, metrics
    await adapter.aclose()


async def test_pages_are_revalidated_with_their_etags(
    counted: tuple[NgsiLdAdapter, Metrics],
) -> None:
    adapter, metrics = counted
    assert isinstance(adapter, Revalidating)
    first = await adapter.fetch_entities(WEATHER)
    assert len(first.entities) == 25
    assert first.validator is not None
    assert requests(metrics, "ok") == 3  # 25 entities in pages of 10
    assert await adapter.revalidate(WEATHER, first.validator) is None
    assert requests(metrics, "not_modified") == 3
    assert metrics.upstream_in_flight.labels("malmo")._value.get() == 0


async def test_a_changed_page_gives_a_fresh_answer(
    cluster: SimCluster, counted: tuple[NgsiLdAdapter, Metrics]
) -> None:
    adapter, metrics = counted
    first = await adapter.fetch_entities(WEATHER)
    assert first.validator is not None
    clock = cluster.settings.clock
    assert isinstance(clock, ManualClock)
    clock.now += 3600  # new observations
    again = await adapter.revalidate(WEATHER, first.validator)
    assert again is not None
    assert again.validator != first.validator
    assert [e.id for e in again.entities] == [e.id for e in first.entities]
    assert requests(metrics, "ok") == 3 + 1 + 3  # the changed first page, then a full fetch


async def test_429_raises_unavailable_with_retry_after(
    cluster: SimCluster, counted: tuple[NgsiLdAdapter, Metrics]
) -> None:
    adapter, metrics = counted
    await cluster.set_fault("malmo", "429", retry_after=12)
    with pytest.raises(UpstreamUnavailable, match="rate limiting") as info:
        await adapter.fetch_entities(WEATHER)
    assert info.value.status == 429
    assert info.value.retry_after_s == 12
    assert requests(metrics, "rate_limited") == 1


async def test_a_refused_connection_is_one_request_counted_unavailable(
    cluster: SimCluster, counted: tuple[NgsiLdAdapter, Metrics]
) -> None:
    adapter, metrics = counted
    await cluster.set_fault("malmo", "down")
    with pytest.raises(UpstreamUnavailable):
        await adapter.fetch_entities(WEATHER)
    assert requests(metrics, "unavailable") == 1
    assert metrics.upstream_connections.labels("malmo")._value.get() == 1


async def test_the_size_cap_stops_a_huge_answer(cluster: SimCluster) -> None:
    await cluster.set_fault("malmo", "huge", size_mb=8)
    context = AdapterContext(city_id="malmo", logger=LOG, max_response_bytes=256 * 1024)
    adapter = NgsiLdAdapter({"url": cluster.urls["malmo"]}, context)
    try:
        with pytest.raises(
            UpstreamProtocolError, match=r"larger than the adapter accepts \(262144"
        ):
            await adapter.fetch_entities(WEATHER)
    finally:
        await adapter.aclose()


async def test_cache_control_of_the_first_page_is_passed_up() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response([], headers={"Cache-Control": "max-age=42"})

    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/entities", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    adapter = NgsiLdAdapter({"url": f"http://127.0.0.1:{port}"}, AdapterContext("x", LOG))
    try:
        assert (await adapter.fetch_entities(WEATHER)).cache_control == "max-age=42"
    finally:
        await adapter.aclose()
        await runner.cleanup()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("120", 120.0),
        ("soon", None),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 0.0),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 60.0),
    ],
)
def test_retry_after_values(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=40.0) == seconds
