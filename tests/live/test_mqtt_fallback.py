"""Issue 15: a city whose push channel dies falls back to polling and says so, and returns
to push when the channel heals, with the real parts: Uppsala's SensorThings simulator
publishing to its own mosquitto, which the test stops and starts again on its port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.live.conftest import BUCKET_S, LiveWorld
from tests.live.node_client import subscribed
from tests.live.test_every_kind import demo_kinds
from tests.live.test_reference_clients import SUBSCRIPTION
from tests.support.gateway_server import GatewayServer
from tests.support.manual_clock import ManualClock
from tests.support.mosquitto import Mosquitto, available
from tests.support.sim import running_sim
from tests.support.waiting import wait_until

CITY = "uppsala"
ENTITIES = 3
pytestmark = pytest.mark.skipif(not available(), reason="mosquitto is not installed")


@pytest.fixture(scope="module")
def broker() -> Iterator[Mosquitto]:
    """Uppsala's broker (the test stops it and starts another on its port)."""
    with Mosquitto() as running:
        yield running


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, broker: Mosquitto) -> Iterator[LiveWorld]:
    entry = demo_kinds()[CITY]
    assert entry["adapter"]["kind"] == "sensorthings"
    clock = ManualClock(time.time())
    with running_sim(
        seed=2026,
        entities_per_type=ENTITIES,
        cities=(CITY,),
        clock=clock,
        bucket_s=BUCKET_S,
        city_mqtt_url={CITY: broker.url},
    ) as sim:
        adapter = dict(entry["adapter"], url=sim.urls[CITY], mqtt_url=broker.url)
        city = {k: v for k, v in entry.items() if k != "catalogue"} | {"adapter": adapter}
        path = tmp_path_factory.mktemp("fallback") / "federation.yaml"
        path.write_text(yaml.safe_dump({"cities": {CITY: city}}), encoding="utf-8")
        yield LiveWorld(sim, clock, path)


def changed(client: Any, before: int) -> bool:
    """Every entity has an event after the first ``before`` events."""
    return len(client.events("EntityChanged")[before:]) >= ENTITIES


def _streams(client: Any) -> list[tuple[str, str]]:
    return [(e["state"], e["status"]) for e in client.events("CityStreamChanged")]


def test_a_dead_broker_means_polling_announced_and_a_healed_one_push_again(
    world: LiveWorld, broker: Mosquitto, tmp_path: Path
) -> None:
    with (
        GatewayServer(str(world.federation), live_poll_s=0.2, live_push_retry_s=0.5) as gateway,
        subscribed("ws", f"{gateway.url}/graphql", SUBSCRIPTION, {"type": "WeatherObserved"}) as c,
    ):
        wait_until(
            lambda: bool(broker.subscribers()),
            60,
            "the gateway's stream has subscribed on the broker",
        )
        world.change()
        c.collect(lambda _: changed(c, 0), 60, "every entity's change, pushed")
        assert {e["via"] for e in c.events("EntityChanged")} == {"PUSH"}

        broker.stop()
        c.collect(lambda _: ("POLLING", "UNAVAILABLE") in _streams(c), 60, "the fallback")
        pushed = len(c.events("EntityChanged"))
        world.change()
        c.collect(lambda _: changed(c, pushed), 60, "every entity's change, found by polling")
        assert {e["via"] for e in c.events("EntityChanged")[pushed:]} == {"POLL"}

        with Mosquitto(port=broker.port) as healed:
            wait_until(
                lambda: bool(healed.subscribers()),
                60,
                "the stream has subscribed on the healed broker",
            )
            polled = len(c.events("EntityChanged"))
            world.change()
            c.collect(lambda _: changed(c, polled), 60, "every entity's change, pushed again")
            assert {e["via"] for e in c.events("EntityChanged")[polled:]} == {"PUSH"}
            assert _streams(c)[-1][0] == "BACK"  # announced with the first push
