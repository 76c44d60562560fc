"""NgsiLdAdapter.stream_entities against citysim's brokers: a real subscription, real
notifications POSTed to a loopback inbox, the subscription deleted however the stream ends.

The session's cluster has a frozen clock, so what a tick pushes is what a query then returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.contract import AdapterContext, SourceEntity, SourceQuery
from adapters.errors import AdapterError, UpstreamProtocolError
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.streaming import stream_entities
from adapters.streaming import Streaming, StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost
from tests.support.sim import Sim

LOG = logging.getLogger("test.ngsi_ld.streaming")
TYPE = "WeatherObserved"


def adapter_for(sim: Sim, city: str, **config: Any) -> NgsiLdAdapter:
    context = AdapterContext(city_id=city, logger=LOG, timeout_s=5.0)
    return NgsiLdAdapter({"url": f"{sim.urls[city]}/ngsi-ld/v1/", **config}, context)


async def subscriptions(sim: Sim, city: str) -> int:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{sim.control_url}/cities/{city}")
        return int(answer.json()["subscriptions"])


async def until_subscribed(sim: Sim, city: str, count: int) -> None:
    """Ask citysim (real requests, no sleeping) until ``count`` subscriptions are active."""
    for _ in range(500):
        if await subscriptions(sim, city) == count:
            return
    raise AssertionError(f"{city} never had {count} subscription(s)")


async def tick(sim: Sim, city: str) -> int:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{sim.control_url}/cities/{city}/tick")
        answer.raise_for_status()
        return int(answer.json()["pushed"])


async def take(stream: AsyncIterator[SourceEntity], n: int) -> list[SourceEntity]:
    return [await anext(stream) for _ in range(n)]


async def test_a_tick_arrives_as_the_entities_a_query_returns(sim: Sim) -> None:
    city = "malmo"
    adapter = adapter_for(sim, city, format="normalized")
    assert isinstance(adapter, Streaming)
    async with LoopbackCallbackHost() as host:
        stream = adapter.stream_entities(StreamQuery(TYPE), host)
        first = asyncio.ensure_future(anext(stream))
        await until_subscribed(sim, city, 1)
        assert await tick(sim, city) == 1
        pushed = [await first, *await take(stream, 11)]
        fetched = await adapter.fetch_entities(SourceQuery(TYPE, limit=100))
        assert {e.id: e for e in pushed} == {e.id: e for e in fetched.entities}
        await stream.aclose()  # type: ignore[attr-defined]
        assert await subscriptions(sim, city) == 0
        assert not host.inboxes
    await adapter.aclose()


async def test_cancelling_the_reader_deletes_the_subscription(sim: Sim) -> None:
    city = "lund"
    adapter = adapter_for(sim, city)
    async with LoopbackCallbackHost() as host:

        async def read() -> None:
            async for _ in adapter.stream_entities(StreamQuery(TYPE), host):
                pass

        reader = asyncio.ensure_future(read())
        await until_subscribed(sim, city, 1)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        assert await subscriptions(sim, city) == 0
    await adapter.aclose()


async def test_attributes_asked_for_are_all_a_notification_holds(sim: Sim) -> None:
    city = "uppsala"
    adapter = adapter_for(sim, city)
    query = StreamQuery(TYPE, attrs=("temperature",))
    async with LoopbackCallbackHost() as host:
        stream = adapter.stream_entities(query, host)
        first = asyncio.ensure_future(anext(stream))
        await until_subscribed(sim, city, 1)
        await tick(sim, city)
        entity = await first
        fetched = await adapter.fetch_entities(SourceQuery(TYPE, attrs=("temperature",), limit=100))
        assert entity == next(e for e in fetched.entities if e.id == entity.id)
        assert set(entity.attributes) <= {"temperature", "location", "dateObserved"}
        await stream.aclose()  # type: ignore[attr-defined]
    await adapter.aclose()


async def test_a_broker_that_is_down_fails_the_stream(sim: Sim) -> None:
    city = "umea"
    adapter = adapter_for(sim, city)
    async with LoopbackCallbackHost() as host:
        with sim.fault(city, {"mode": "down"}), pytest.raises(AdapterError):
            await anext(adapter.stream_entities(StreamQuery(TYPE), host))
        assert not host.inboxes
    await adapter.aclose()


async def test_garbage_notifications_fail_the_stream(sim: Sim) -> None:
    """The broker answers garbage to the DELETE too: the subscription stays until it
    expires (here the test deletes it once the broker heals)."""
    city = "halmstad"
    adapter = adapter_for(sim, city)
    async with LoopbackCallbackHost() as host:
        stream = adapter.stream_entities(StreamQuery(TYPE), host)
        first = asyncio.ensure_future(anext(stream))
        await until_subscribed(sim, city, 1)
        sim.set_fault(city, {"mode": "garbage"})
        try:
            assert await tick(sim, city) == 1
            with pytest.raises(UpstreamProtocolError, match="not JSON"):
                await first
        finally:
            sim.heal(city)
        base = f"{sim.urls[city]}/ngsi-ld/v1/subscriptions"
        async with httpx.AsyncClient() as client:
            left = (await client.get(base)).json()
            assert [s["notification"]["timesSent"] for s in left] == [1]
            assert (await client.delete(f"{base}/{left[0]['id']}")).status_code == 204
        assert await subscriptions(sim, city) == 0
    await adapter.aclose()


async def test_the_subscription_is_renewed_before_it_expires(sim: Sim) -> None:
    """A one-second lifetime: the broker sees expiresAt move forward (PATCH) while the
    stream is open, and the subscription never lapses."""
    city = "orebro"
    adapter = adapter_for(sim, city)
    base = f"{sim.urls[city]}/ngsi-ld/v1/subscriptions"
    async with LoopbackCallbackHost() as host, httpx.AsyncClient() as client:
        stream = stream_entities(
            adapter._client, adapter.config, StreamQuery(TYPE), host, LOG, lifetime_s=1.0
        )
        reading = asyncio.ensure_future(anext(stream))
        await until_subscribed(sim, city, 1)
        first = (await client.get(base)).json()[0]["expiresAt"]
        seen = {first}
        for _ in range(400):  # polled, at most 20 s
            seen.add((await client.get(base)).json()[0]["expiresAt"])
            if len(seen) >= 3:  # renewed twice: past the first lifetime
                break
            await asyncio.sleep(0.05)
        assert len(seen) >= 3, "the subscription was not renewed"
        assert await subscriptions(sim, city) == 1
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert await subscriptions(sim, city) == 0
    await adapter.aclose()
