"""LynxAdapter.stream_entities through a real mosquitto that checks passwords: citysim's
Lynx publishes each status on ``{installation}/obj/...`` as ``{timestamp, value, msg}``,
the adapter reads it with the API key as password and maps it as ``fetch_entities``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.contract import AdapterContext
from adapters.errors import UpstreamAuthError
from adapters.lynx import LynxAdapter
from adapters.streaming import StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost
from citysim.cluster import SimSettings, SimThread
from citysim.lynx.app import DEMO_API_KEY
from tests.conformance import truth
from tests.support.mosquitto import Mosquitto, available
from tests.support.push import first_push_and_fetch

pytestmark = pytest.mark.skipif(not available(), reason="mosquitto is not installed")
CITY = truth.demo_options("lynx", "http://127.0.0.1")[0]  # the demo's Lynx city
NOW = 1_795_000_000.0
LOG = logging.getLogger("test.lynx.streaming")
PUBLISHER = ("citysim", "citysim-publisher-password")
READER = "caap-gateway"


@pytest.fixture(scope="module")
def broker() -> Iterator[Mosquitto]:
    with Mosquitto(users={PUBLISHER[0]: PUBLISHER[1], READER: DEMO_API_KEY}) as running:
        yield running


@pytest.fixture(scope="module")
def sim(broker: Mosquitto) -> Iterator[SimThread]:
    url = f"mqtt://{PUBLISHER[0]}:{PUBLISHER[1]}@127.0.0.1:{broker.port}"
    settings = SimSettings(
        seed=7, entities_per_type=4, cities=(CITY,), clock=lambda: NOW, mqtt_url=url
    )
    with SimThread(settings) as thread:
        yield thread


def adapter(sim: SimThread, broker: Mosquitto, **changes: Any) -> LynxAdapter:
    _, options = truth.demo_options("lynx", sim.urls[CITY])
    context = AdapterContext(city_id=CITY, logger=LOG, timeout_s=5)
    return LynxAdapter({**options, "mqtt_url": broker.url, **changes}, context)


async def test_a_published_status_arrives_as_the_entity_a_query_returns(
    sim: SimThread, broker: Mosquitto
) -> None:
    lynx = adapter(sim, broker)
    pushed, fetched = await first_push_and_fetch(lynx, sim.control_url, CITY)
    assert pushed == fetched
    await lynx.aclose()


async def test_a_wrong_api_key_is_refused_by_the_broker(sim: SimThread, broker: Mosquitto) -> None:
    lynx = adapter(sim, broker)
    wrong = adapter(sim, broker, api_key="not-the-key")
    found = await lynx.stations("WeatherObserved", lynx.config.types["WeatherObserved"])
    assert found
    async with LoopbackCallbackHost() as host:
        # the HTTP API is asked with the right key; only the broker sees the wrong one
        wrong.stations = lynx.stations  # type: ignore[method-assign]
        wrong._status = lynx._status  # type: ignore[method-assign]
        with pytest.raises(UpstreamAuthError):
            await anext(wrong.stream_entities(StreamQuery("WeatherObserved"), host))
    await lynx.aclose()
    await wrong.aclose()
