"""CitySense passes the caap conformance kit (run: pytest, in this directory)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from caap_citysense import CitySenseAdapter
from caap_citysense.sample import EXPECTED, STATIONS, TOKEN
from caap_citysense.stub import StubServer

from adapters.testing import AdapterConformance, Platform


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with StubServer(STATIONS, token=TOKEN) as server:
        yield Platform(server.url, {"WeatherObserved": EXPECTED})


class TestCitySense(AdapterConformance):
    adapter_class = CitySenseAdapter
    secrets = (TOKEN,)

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "api_token": TOKEN, "per_page": 3}
