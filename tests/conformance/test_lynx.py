"""The conformance kit against the Lynx adapter, configured as in the demo federation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.lynx import LynxAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth
from tests.conformance.push import pusher
from tests.support.mosquitto import Mosquitto, session_url

CITY = truth.demo_city("lynx")
NOW = 1_795_000_000.0


@pytest.fixture(scope="module")
def sim(mosquitto: Mosquitto) -> Iterator[SimThread]:
    settings = SimSettings(
        seed=6, entities_per_type=9, cities=(CITY,), clock=lambda: NOW, mqtt_url=mosquitto.url
    )
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def platform(sim: SimThread) -> Platform:
    _, options = truth.demo_options("lynx", sim.urls[CITY])
    entities = truth.lynx(truth.world(sim, CITY), options)
    return Platform(sim.urls[CITY], entities, push=pusher(sim, CITY))


class TestLynx(AdapterConformance):
    adapter_class = LynxAdapter
    secrets = (truth.DEMO_LYNX_KEY,)

    def config_for(self, url: str) -> dict[str, Any]:
        mqtt = {"mqtt_url": session_url()} if session_url() else {}
        return {**truth.demo_options("lynx", url)[1], **mqtt}
