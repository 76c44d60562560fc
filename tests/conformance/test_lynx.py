"""The conformance kit against the Lynx adapter, configured as in the demo federation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.lynx import LynxAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_city("lynx")
NOW = 1_795_000_000.0


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=6, entities_per_type=9, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def platform(sim: SimThread) -> Platform:
    _, options = truth.demo_options("lynx", sim.urls[CITY])
    return Platform(sim.urls[CITY], truth.lynx(truth.world(sim, CITY), options))


class TestLynx(AdapterConformance):
    adapter_class = LynxAdapter
    secrets = (truth.DEMO_LYNX_KEY,)

    def config_for(self, url: str) -> dict[str, Any]:
        return truth.demo_options("lynx", url)[1]
