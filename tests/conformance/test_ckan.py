"""The catalogue conformance kit against the CKAN adapter and citysim's CKAN action API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.registry import AdapterRegistry
from adapters.testing import Catalogue, CatalogueConformance
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_catalogue_city("ckan")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    with SimThread(SimSettings(seed=9, entities_per_type=1, cities=(CITY,))) as thread:
        yield thread


@pytest.fixture(scope="module")
def catalogue(sim: SimThread) -> Catalogue:
    return Catalogue(sim.urls[CITY], truth.ckan(sim, CITY))


class TestCkan(CatalogueConformance):
    adapter_class = AdapterRegistry.from_entry_points().get("ckan")
    secrets = ("ckan-conformance-key",)

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "page_size": 3, "headers": {"X-Api-Key": self.secrets[0]}}
