"""The catalogue conformance kit against the DCAT-AP-SE adapter: citysim's Turtle and RDF/XML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.registry import AdapterRegistry
from adapters.testing import Catalogue, CatalogueConformance
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_catalogue_city("dcat-ap-se")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    with SimThread(SimSettings(seed=4, entities_per_type=1, cities=(CITY,))) as thread:
        yield thread


@pytest.fixture(scope="module", params=["/dcat/catalog.ttl", "/dcat/catalog.rdf"])
def catalogue(sim: SimThread, request: pytest.FixtureRequest) -> Catalogue:
    return Catalogue(sim.urls[CITY] + request.param, truth.dcat(sim, CITY))


class TestDcatApSe(CatalogueConformance):
    adapter_class = AdapterRegistry.from_entry_points().get("dcat-ap-se")
    secrets = ("dcat-conformance-key",)

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "headers": {"X-Api-Key": self.secrets[0]}}
