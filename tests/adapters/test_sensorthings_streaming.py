"""SensorThingsAdapter.stream_entities through a real mosquitto: citysim's SensorThings
server publishes new Observations on ``v1.1/Datastreams(id)/Observations`` and the
adapter maps each into the entity ``fetch_entities`` then returns."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest

from adapters.contract import AdapterContext
from adapters.errors import UpstreamProtocolError, UpstreamUnavailable
from adapters.sensorthings import SensorThingsAdapter
from adapters.streaming import StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth
from tests.support.mosquitto import Mosquitto, available
from tests.support.push import first_push_and_fetch, tick_until

pytestmark = pytest.mark.skipif(not available(), reason="mosquitto is not installed")
CITY = "orebro"
NOW = 1_795_000_000.0
LOG = logging.getLogger("test.sensorthings.streaming")


@pytest.fixture(scope="module")
def broker() -> Iterator[Mosquitto]:
    with Mosquitto() as running:
        yield running


@pytest.fixture(scope="module")
def sim(broker: Mosquitto) -> Iterator[SimThread]:
    settings = SimSettings(
        seed=7, entities_per_type=4, cities=(CITY,), clock=lambda: NOW, mqtt_url=broker.url
    )
    with SimThread(settings) as thread:
        yield thread


def adapter(sim: SimThread, broker: Mosquitto) -> SensorThingsAdapter:
    _, options = truth.demo_options("sensorthings", sim.urls[CITY])
    context = AdapterContext(city_id=CITY, logger=LOG, timeout_s=5)
    return SensorThingsAdapter({**options, "mqtt_url": broker.url}, context)


async def test_a_published_observation_arrives_as_the_entity_a_query_returns(
    sim: SimThread, broker: Mosquitto
) -> None:
    st = adapter(sim, broker)
    pushed, fetched = await first_push_and_fetch(st, sim.control_url, CITY)
    assert pushed == fetched
    await st.aclose()


async def test_garbage_payloads_fail_the_stream(sim: SimThread, broker: Mosquitto) -> None:
    st = adapter(sim, broker)
    async with LoopbackCallbackHost() as host:
        stream = st.stream_entities(StreamQuery("WeatherObserved"), host)
        reading = asyncio.ensure_future(anext(stream))
        async with httpx.AsyncClient() as client:
            fault = f"{sim.control_url}/cities/{CITY}/fault"
            (await client.put(fault, json={"mode": "garbage"})).raise_for_status()
            try:
                with pytest.raises(UpstreamProtocolError, match="not an Observation"):
                    await tick_until(sim.control_url, CITY, reading)
            finally:
                (await client.delete(fault)).raise_for_status()
    await st.aclose()


async def test_without_an_mqtt_url_the_stream_fails(sim: SimThread, broker: Mosquitto) -> None:
    _, options = truth.demo_options("sensorthings", sim.urls[CITY])
    st = SensorThingsAdapter(options, AdapterContext(city_id=CITY, logger=LOG, timeout_s=5))
    async with LoopbackCallbackHost() as host:
        with pytest.raises(UpstreamUnavailable, match="mqtt_url"):
            await anext(st.stream_entities(StreamQuery("WeatherObserved"), host))
    await st.aclose()


async def test_a_broker_that_goes_away_fails_the_stream(sim: SimThread) -> None:
    """The stream's own broker stops under it: the stream raises, so the gateway polls."""
    with Mosquitto() as own:
        st = adapter(sim, own)
        async with LoopbackCallbackHost() as host:
            stream = st.stream_entities(StreamQuery("WeatherObserved"), host)
            reading = asyncio.ensure_future(anext(stream))
            await until_connected(own)
            own.stop()
            with pytest.raises(UpstreamUnavailable, match="MQTT"):
                await reading
        await st.aclose()


async def until_connected(broker: Mosquitto) -> None:
    """Wait (checking the broker's client count, no fixed sleep) until the stream is in."""
    for _ in range(200):
        if broker.clients() >= 1:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the stream never connected to the broker")
