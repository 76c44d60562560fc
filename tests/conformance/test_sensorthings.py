"""The conformance kit against the SensorThings adapter, configured as in the demo federation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.sensorthings import SensorThingsAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_city("sensorthings")
NOW = 1_795_000_000.0


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=5, entities_per_type=9, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def platform(sim: SimThread) -> Platform:
    _, options = truth.demo_options("sensorthings", sim.urls[CITY])
    return Platform(sim.urls[CITY], truth.sensorthings(truth.world(sim, CITY), options))


class TestSensorThings(AdapterConformance):
    adapter_class = SensorThingsAdapter
    secrets = ("frost-conformance-key",)

    def config_for(self, url: str) -> dict[str, Any]:
        _, options = truth.demo_options("sensorthings", url)
        return {**options, "page_size": 4, "headers": {"X-Api-Key": self.secrets[0]}}
