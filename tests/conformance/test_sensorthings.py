"""The conformance kit against the SensorThings adapter, configured as in the demo federation,
on three servers: citysim's FROST dialect, citysim's istSOS4 dialect, and a real istSOS4
loaded with the same world (``tests.support.istsos4_world``).

istSOS4 (and the dialect imitating it) reports times in whole seconds: the ground
truth is citysim's, with its times as such a server reports them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from adapters.contract import SourceEntity
from adapters.sdk.times import iso_z
from adapters.sensorthings import SensorThingsAdapter
from adapters.testing import AdapterConformance, Platform
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth
from tests.conformance.push import pusher
from tests.support.istsos4_session import IstSOS4World
from tests.support.mosquitto import Mosquitto, session_url

CITY = truth.demo_city("sensorthings")
NOW = 1_795_000_000.0


def whole_seconds(
    entities: Mapping[str, Sequence[SourceEntity]],
) -> dict[str, list[SourceEntity]]:
    """The truth as a server writing whole seconds reports it (times rounded down, and so
    ``dateObserved``, which the adapter takes from them)."""
    return {
        entity_type: [_whole_seconds(e) if e.observed_at is not None else e for e in found]
        for entity_type, found in entities.items()
    }


def _whole_seconds(e: SourceEntity) -> SourceEntity:
    assert e.observed_at is not None
    at = e.observed_at.replace(microsecond=0)
    attributes = dict(e.attributes)
    if "dateObserved" in attributes:
        attributes["dateObserved"] = iso_z(at)
    return replace(e, observed_at=at, attributes=attributes)


class _Kit(AdapterConformance):
    adapter_class = SensorThingsAdapter
    secrets = ("frost-conformance-key",)

    def config_for(self, url: str) -> dict[str, Any]:
        _, options = truth.demo_options("sensorthings", url)
        mqtt = {"mqtt_url": session_url()} if session_url() else {}
        return {**options, "page_size": 4, "headers": {"X-Api-Key": self.secrets[0]}, **mqtt}


def _sim(dialect: str, mqtt_url: str) -> Iterator[SimThread]:
    settings = SimSettings(
        mqtt_url=mqtt_url,
        seed=5,
        entities_per_type=9,
        cities=(CITY,),
        clock=lambda: NOW,
        sensorthings_dialect={CITY: dialect},
    )
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def frost(mosquitto: Mosquitto) -> Iterator[Platform]:
    for sim in _sim("frost", mosquitto.url):
        _, options = truth.demo_options("sensorthings", sim.urls[CITY])
        entities = truth.sensorthings(truth.world(sim, CITY), options)
        yield Platform(sim.urls[CITY], entities, push=pusher(sim, CITY))


@pytest.fixture(scope="module")
def istsos4_dialect(mosquitto: Mosquitto) -> Iterator[Platform]:
    for sim in _sim("istsos4", mosquitto.url):
        _, options = truth.demo_options("sensorthings", sim.urls[CITY])
        entities = truth.sensorthings(truth.world(sim, CITY), options)
        yield Platform(sim.urls[CITY], whole_seconds(entities), push=pusher(sim, CITY))


@pytest.fixture(scope="module")
def real_istsos4(istsos4: IstSOS4World) -> Platform:
    _, options = truth.demo_options("sensorthings", istsos4.root)
    return Platform(istsos4.root, whole_seconds(truth.sensorthings(istsos4.world, options)))


class TestSensorThings(_Kit):
    """citysim's FROST dialect."""

    @pytest.fixture
    def platform(self, frost: Platform) -> Platform:
        return frost


class TestSensorThingsIstsos4Dialect(_Kit):
    """citysim's istSOS4 dialect."""

    @pytest.fixture
    def platform(self, istsos4_dialect: Platform) -> Platform:
        return istsos4_dialect


class TestIstSOS4(_Kit):
    """A real istSOS4 holding the same world as citysim's Uppsala."""

    @pytest.fixture
    def platform(self, real_istsos4: Platform) -> Platform:
        return real_istsos4
