"""The demo federation (``federation.yaml`` at the root): all 18 municipalities."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from adapters.registry import AdapterRegistry
from gateway.federation import Access, Federation, load_federation

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "federation.yaml"
MUNICIPALITIES = ROOT / "citysim" / "data" / "municipalities.csv"
PUBLIC = (
    "WeatherObserved",
    "AirQualityObserved",
    "WaterQualityObserved",
    "TrafficFlowObserved",
    "Beach",
    "Device",
)


def stand_in_registry() -> AdapterRegistry:
    """The installed adapters: the demo file must load with the real NGSI-LD adapter."""
    return AdapterRegistry.from_entry_points()


def municipalities() -> list[dict[str, str]]:
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def demo() -> Federation:
    return load_federation(DEMO, stand_in_registry(), env={})


def test_the_demo_lists_the_18_municipalities_of_the_csv_in_order(demo: Federation) -> None:
    expected = [(m["id"], m["name"], m["kommunkod"]) for m in municipalities()]
    assert len(expected) == 18
    assert [(c.id, c.name, c.kommunkod) for c in demo.cities.values()] == expected


def test_names_keep_their_swedish_letters(demo: Federation) -> None:
    names = {c.id: c.name for c in demo.cities.values()}
    assert names["malmo"] == "Malmö"
    assert names["goteborg"] == "Göteborg"
    assert names["orebro"] == "Örebro"
    assert names["vasteras"] == "Västerås"


def test_each_city_has_its_port_in_csv_order(demo: Federation) -> None:
    urls = [c.adapter.options["url"] for c in demo.cities.values()]
    assert urls == [f"http://127.0.0.1:{port}" for port in range(9101, 9119)]


def test_the_demo_mixes_the_platform_kinds_and_every_city_has_a_catalogue(
    demo: Federation,
) -> None:
    kinds = {c.adapter.kind for c in demo.cities.values()}
    assert {"ngsi-ld", "sensorthings", "lynx", "rest-json"} <= kinds
    catalogues = [c.catalogue for c in demo.cities.values()]
    assert all(c is not None and c.kind in {"dcat-ap-se", "ckan"} for c in catalogues)


def test_caap_sim_host_moves_every_city() -> None:
    federation = load_federation(DEMO, stand_in_registry(), env={"CAAP_SIM_HOST": "sim.internal"})
    urls = [c.adapter.options["url"] for c in federation.cities.values()]
    assert urls == [f"http://sim.internal:{port}" for port in range(9101, 9119)]


PLACES = {"uppsala", "linkoping", "kalmar", "malmo", "lund", "helsingborg", "goteborg"}
"""The cities that also share car parks and points of interest, publicly (all four kinds)."""


def test_each_city_shares_the_demo_datasets(demo: Federation) -> None:
    for city in demo.cities.values():
        access = {name: dataset.access for name, dataset in city.datasets.items()}
        places = ("OffStreetParking", "PointOfInterest") if city.id in PLACES else ()
        assert access == {
            **{name: Access.public_access() for name in (*PUBLIC, *places)},
            "WaterConsumptionObserved": Access.any_scope("caap:utility:read"),
        }, city.id
    kinds = {demo.cities[c].adapter.kind for c in PLACES}
    assert kinds == {"ngsi-ld", "sensorthings", "lynx", "rest-json"}


def test_the_demo_uses_the_gateway_defaults(demo: Federation) -> None:
    assert demo.auth is None
    assert all(c.timeout_s is None for c in demo.cities.values())


def test_the_demo_loads_with_the_installed_adapters() -> None:
    federation = load_federation(DEMO, AdapterRegistry.from_entry_points(), env={})
    assert len(federation.cities) == 18
