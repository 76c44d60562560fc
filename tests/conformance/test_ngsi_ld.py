"""The conformance kit against the NGSI-LD adapter and citysim's NGSI-LD brokers, one class
per broker dialect (``citysim.ngsi_ld.dialect``): each city of the simulation imitates
another broker, and the adapter, configured as a city running that broker would
configure it, must pass the whole kit against each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.ngsi_ld import NgsiLdAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth
from tests.conformance.push import pusher, subscription_count

NOW = 1_795_000_000.0
TYPES = ("WeatherObserved", "TrafficFlowObserved", "WaterConsumptionObserved")
CITIES = {
    "lund": "scorpio",
    "malmo": "stellio",
    "stockholm": "orion-ld",
    "karlskrona": "mintaka",
    "sundsvall": "diwise",
}
"""City -> the dialect its simulated broker speaks."""


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(
        seed=3, entities_per_type=14, cities=tuple(CITIES), clock=lambda: NOW, city_dialect=CITIES
    )
    with SimThread(settings) as thread:
        yield thread


def platform_of(sim: SimThread, city: str) -> Platform:
    return Platform(
        sim.urls[city],
        truth.ngsi_ld(truth.world(sim, city), TYPES),
        push=pusher(sim, city),
        upstream_subscriptions=subscription_count(sim, city),
    )


class TestNgsiLd(AdapterConformance):
    """Scorpio: the strict NGSI-LD v1.8 API."""

    adapter_class = NgsiLdAdapter
    secrets = ("ngsi-ld-conformance-key",)
    city = "lund"

    @pytest.fixture
    def platform(self, sim: SimThread) -> Platform:
        return platform_of(sim, self.city)

    def config_for(self, url: str) -> dict[str, Any]:
        return {
            "url": url,
            "page_size": 5,
            "headers": {"X-Api-Key": self.secrets[0]},
            "types": {"WaterConsumptionObserved": {"format": "normalized", "time_property": None}},
        }


class TestNgsiLdStellio(TestNgsiLd):
    """Stellio: limit at most 100 (the kit's page size is 5)."""

    city = "malmo"


class TestNgsiLdOrionLd(TestNgsiLd):
    """Orion-LD: q does not compare typed DateTimes, so the time comes from observedAt."""

    city = "stockholm"

    def config_for(self, url: str) -> dict[str, Any]:
        return {**super().config_for(url), "format": "normalized", "time_property": None}


class TestNgsiLdMintaka(TestNgsiLdOrionLd):
    """Orion-LD's entity API with Mintaka's temporal API beside it."""

    city = "karlskrona"


class TestNgsiLdDiwise(TestNgsiLd):
    """diwise: the adapter's diwise dialect (404 may mean "not allowed")."""

    city = "sundsvall"

    def config_for(self, url: str) -> dict[str, Any]:
        return {**super().config_for(url), "dialect": "diwise"}
