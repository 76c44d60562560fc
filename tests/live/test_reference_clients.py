"""Issue 15's acceptance through the reference clients (npm graphql-ws, graphql-sse) against
a real gateway and the 18 simulated cities.

The cities' values change only when the test moves their clock (``LiveWorld.change``),
once every stream has its baseline: the events are the change, found by polling
(the push side of the adapters lands separately) and equal to what ``entities``
then answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.conftest import LiveWorld
from tests.live.hub_probe import all_primed, hubs, streams_opened
from tests.live.node_client import subscribed
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.waiting import wait_until

CITIES = 18
ENTITY = "id city { id } observedAt location { lat lon } attributes"
SUBSCRIPTION = (
    "subscription($type: String!) { entityChanges(type: $type) { __typename "
    f"... on EntityChanged {{ via receivedAt city {{ id }} entity {{ {ENTITY} }} }} "
    "... on CityStreamChanged { state status message city { id } } } }"
)


def _entities(url: str, entity_type: str) -> dict[str, dict[str, Any]]:
    query = f'{{ entities(type: "{entity_type}", first: 1000) {{ nodes {{ {ENTITY} }} }} }}'
    answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=30).json()
    assert "errors" not in answer, answer
    return {node["id"]: node for node in answer["data"]["entities"]["nodes"]}


@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_weather_from_every_city_equal_to_what_entities_then_answers(
    live_world: LiveWorld, protocol: str
) -> None:
    before = live_world.subscriptions()
    with (
        GatewayServer(str(live_world.federation), live_poll_s=0.2) as gateway,
        subscribed(
            protocol, f"{gateway.url}/graphql", SUBSCRIPTION, {"type": "WeatherObserved"}
        ) as client,
    ):
        wait_until(lambda: all_primed(gateway, CITIES), 60, "every city's stream has a baseline")
        wait_until(
            lambda: live_world.subscribed_since(before, live_world.sim.urls),
            60,
            "every city's broker holds the gateway's subscription",
        )
        live_world.change()

        def every_city(_: object) -> bool:
            return len({e["city"]["id"] for e in client.events("EntityChanged")}) == CITIES

        client.collect(every_city, 60, "an event from every city")
        now = _entities(gateway.url, "WeatherObserved")
        received = client.events("EntityChanged")
        assert {e["via"] for e in received} == {"PUSH"}  # every city is an NGSI-LD broker
        for event in received:
            assert event["entity"] == now[event["entity"]["id"]]
            assert event["city"] == event["entity"]["city"]
        assert streams_opened(gateway) == CITIES


def test_anonymous_water_consumption_is_refused_and_opens_no_stream(
    live_world: LiveWorld, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    path = write_federation(
        tmp_path / "federation.yaml", live_world.sim.urls, audit={"file": str(audit)}
    )
    live_world.sim.reset_requests()
    with (
        GatewayServer(str(path), live_poll_s=0.2) as gateway,
        subscribed(
            "ws", f"{gateway.url}/graphql", SUBSCRIPTION, {"type": "WaterConsumptionObserved"}
        ) as client,
    ):
        client.collect(lambda seen: any("error" in s for s in seen), 30, "the refusal")
        errors = next(s["error"]["errors"] for s in client.seen if "error" in s)
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "caap:utility:read" in errors[0]["message"]
        assert streams_opened(gateway) == 0
    asked = live_world.sim.requests_by_city()
    assert sum(c["by_type"].get("WaterConsumptionObserved", 0) for c in asked.values()) == 0
    decisions = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert len(decisions) == CITIES  # each city's decision is audited, as for a query
    assert all("WaterConsumptionObserved" in json.dumps(d) for d in decisions)


def test_a_thousand_subscribers_share_one_upstream_stream_per_city(live_world: LiveWorld) -> None:
    with (
        GatewayServer(
            str(live_world.federation),
            live_poll_s=0.2,
            live_per_connection=1000,
            live_per_client=1000,
        ) as gateway,
        subscribed(
            "ws", f"{gateway.url}/graphql", SUBSCRIPTION, {"type": "WeatherObserved"}, count=1000
        ),
    ):
        wait_until(
            lambda: sum(h.subscriber_count for h in hubs(gateway)) == 1000,
            120,
            "1000 subscriptions are open",
        )
        assert [h.stream_count for h in hubs(gateway)] == [CITIES]
        assert streams_opened(gateway) == CITIES


def test_each_event_is_encoded_once_for_every_subscriber_of_its_group(
    live_world: LiveWorld,
) -> None:
    subscribers = 40
    before = live_world.subscriptions()
    with (
        GatewayServer(
            str(live_world.federation), live_poll_s=0.2, live_per_connection=50
        ) as gateway,
        subscribed(
            "ws",
            f"{gateway.url}/graphql",
            SUBSCRIPTION,
            {"type": "WeatherObserved"},
            count=subscribers,
        ) as client,
    ):
        wait_until(lambda: all_primed(gateway, CITIES), 60, "every city's stream has a baseline")
        wait_until(
            lambda: live_world.subscribed_since(before, live_world.sim.urls),
            60,
            "every city's broker holds the gateway's subscription",
        )
        payloads = gateway.app.state.live_view.payloads
        before = payloads.encoded
        live_world.change()

        def everyone_has_everything(seen: list[dict[str, Any]]) -> bool:
            got = [0] * subscribers
            for line in seen:
                if "next" in line:
                    got[line["n"]] += 1
            return min(got) >= CITIES * 3  # 3 entities per city, each changed once

        client.collect(everyone_has_everything, 120, "every event at every subscriber")
        events = {
            (e["entity"]["id"], e["entity"]["observedAt"]) for e in client.events("EntityChanged")
        }
        assert len(events) == CITIES * 3
        assert payloads.encoded - before == len(events)
