"""The conformance kit against the NGSI-LD adapter and citysim's NGSI-LD brokers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.ngsi_ld import NgsiLdAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = "lund"
NOW = 1_795_000_000.0
TYPES = ("WeatherObserved", "TrafficFlowObserved", "WaterConsumptionObserved")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=3, entities_per_type=14, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def platform(sim: SimThread) -> Platform:
    return Platform(sim.urls[CITY], truth.ngsi_ld(truth.world(sim, CITY), TYPES))


class TestNgsiLd(AdapterConformance):
    adapter_class = NgsiLdAdapter
    secrets = ("ngsi-ld-conformance-key",)

    def config_for(self, url: str) -> dict[str, Any]:
        return {
            "url": url,
            "page_size": 5,
            "headers": {"X-Api-Key": self.secrets[0]},
            "types": {"WaterConsumptionObserved": {"format": "normalized", "time_property": None}},
        }
