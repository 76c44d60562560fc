"""The conformance kit against the REST/JSON adapter, configured as in the demo federation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.registry import AdapterRegistry
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_city("rest-json")
NOW = 1_795_000_000.0


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=8, entities_per_type=9, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def platform(sim: SimThread) -> Platform:
    _, options = truth.demo_options("rest-json", sim.urls[CITY])
    return Platform(sim.urls[CITY], truth.rest_json(truth.world(sim, CITY), options))


class TestRestJson(AdapterConformance):
    adapter_class = AdapterRegistry.from_entry_points().get("rest-json")

    def config_for(self, url: str) -> dict[str, Any]:
        return {**truth.demo_options("rest-json", url)[1], "page_size": 4}
