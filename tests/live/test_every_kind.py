"""Issue 15's first acceptance line across every platform kind of the demo: WeatherObserved
from all 18 cities, pushed by NGSI-LD notifications, SensorThings MQTT and Lynx MQTT, and
polled for rest-json, each event equal to what ``entities`` then answers.

The cities keep their demo kinds (``federation.yaml``) with URLs pointing at a citysim on a
manual clock; each MQTT city publishes to its own mosquitto, as each city's platform has
its own broker (the same ``v1.1/Datastreams(1)/Observations`` on two cities' brokers are
two different Datastreams).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.live.conftest import BUCKET_S, LiveWorld
from tests.live.hub_probe import all_primed
from tests.live.node_client import subscribed
from tests.live.test_reference_clients import CITIES, SUBSCRIPTION, _entities
from tests.support.federation_files import ROOT
from tests.support.gateway_server import GatewayServer
from tests.support.manual_clock import ManualClock
from tests.support.mosquitto import Mosquitto, available
from tests.support.sim import running_sim
from tests.support.waiting import wait_until

MQTT_KINDS = {"sensorthings", "lynx"}
ENTITIES = 3
"""WeatherObserved entities per city."""


def demo_kinds() -> dict[str, dict[str, Any]]:
    """City id -> its demo entry from ``federation.yaml`` (adapter kind and options)."""
    document = yaml.safe_load((ROOT / "federation.yaml").read_text(encoding="utf-8"))
    cities: dict[str, dict[str, Any]] = document["cities"]
    return cities


def write_kinds_federation(path: Path, urls: dict[str, str], brokers: dict[str, Mosquitto]) -> Path:
    """The demo federation with every URL replaced by the test's sim and broker."""
    cities: dict[str, Any] = {}
    for city_id, entry in demo_kinds().items():
        adapter = dict(entry["adapter"], url=urls[city_id])
        if "mqtt_url" in adapter:
            adapter["mqtt_url"] = brokers[city_id].url
        city = {k: v for k, v in entry.items() if k != "catalogue"}
        city["adapter"] = adapter
        cities[city_id] = city
    path.write_text(yaml.safe_dump({"cities": cities}, sort_keys=False), encoding="utf-8")
    return path


def mqtt_cities() -> tuple[str, ...]:
    """The demo's cities whose platforms push over MQTT."""
    return tuple(c for c, entry in demo_kinds().items() if entry["adapter"]["kind"] in MQTT_KINDS)


@pytest.fixture(scope="module")
def city_brokers() -> Iterator[dict[str, Mosquitto]]:
    """Every MQTT city's own broker."""
    if not available():
        pytest.skip("mosquitto is not installed (make system-deps)")
    with contextlib.ExitStack() as stack:
        yield {city: stack.enter_context(Mosquitto()) for city in mqtt_cities()}


@pytest.fixture(scope="module")
def kinds_world(
    tmp_path_factory: pytest.TempPathFactory, city_brokers: dict[str, Mosquitto]
) -> Iterator[LiveWorld]:
    """18 cities of every demo kind on a manual clock, each MQTT city with its broker."""
    clock = ManualClock(time.time())
    with running_sim(
        seed=2026,
        entities_per_type=ENTITIES,
        clock=clock,
        bucket_s=BUCKET_S,
        city_mqtt_url={city: broker.url for city, broker in city_brokers.items()},
    ) as sim:
        path = write_kinds_federation(
            tmp_path_factory.mktemp("kinds") / "federation.yaml", dict(sim.urls), city_brokers
        )
        yield LiveWorld(sim, clock, path)


@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_every_kind_pushes_or_polls_weather_equal_to_entities(
    kinds_world: LiveWorld, city_brokers: dict[str, Mosquitto], protocol: str
) -> None:
    kinds = {city: entry["adapter"]["kind"] for city, entry in demo_kinds().items()}
    assert set(kinds.values()) == {"ngsi-ld", "sensorthings", "lynx", "rest-json"}
    ngsi = [city for city, kind in kinds.items() if kind == "ngsi-ld"]
    before = kinds_world.subscriptions()

    with (
        GatewayServer(str(kinds_world.federation), live_poll_s=0.2) as gateway,
        subscribed(
            protocol, f"{gateway.url}/graphql", SUBSCRIPTION, {"type": "WeatherObserved"}
        ) as client,
    ):
        wait_until(lambda: all_primed(gateway, CITIES), 60, "every city's stream has a baseline")
        wait_until(
            lambda: kinds_world.subscribed_since(before, ngsi),
            60,
            "every NGSI-LD broker holds the gateway's subscription",
        )
        wait_until(
            lambda: all(broker.subscribers() for broker in city_brokers.values()),
            60,
            "every MQTT city's stream has subscribed on its broker",
        )
        kinds_world.change()

        every_entity = set(_entities(gateway.url, "WeatherObserved"))
        assert len(every_entity) == CITIES * ENTITIES

        def each_entity(_: object) -> bool:
            return {e["entity"]["id"] for e in client.events("EntityChanged")} == every_entity

        client.collect(each_entity, 60, "an event for every entity of every city")
        now = _entities(gateway.url, "WeatherObserved")
        received = client.events("EntityChanged")
        # one event per entity per change: a platform pushing value by value (MQTT) is gathered
        assert sorted(e["entity"]["id"] for e in received) == sorted(every_entity)
        via = {(e["city"]["id"], e["via"]) for e in received}
        assert via == {(c, "POLL" if k == "rest-json" else "PUSH") for c, k in kinds.items()}
        differing = {
            (e["city"]["id"], kinds[e["city"]["id"]])
            for e in received
            if e["entity"] != now[e["entity"]["id"]] or e["city"] != e["entity"]["city"]
        }
        assert differing == set()
