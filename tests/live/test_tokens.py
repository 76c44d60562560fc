"""Tokens on live subscriptions: a scoped token receives what anonymous callers are refused,
and a token that expires ends the subscription with a reason (through graphql-ws)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.live.conftest import LiveWorld
from tests.live.hub_probe import all_primed
from tests.live.node_client import subscribed
from tests.support.auth_server import AUDIENCE, AuthServer, Client
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.waiting import wait_until

UTILITY = "caap:utility:read"
CITY = "malmo"
QUERY = (
    "subscription($type: String!, $cities: [ID!]) { entityChanges(type: $type, cities: $cities) "
    "{ __typename ... on EntityChanged { city { id } entity { id type } } } }"
)


@pytest.fixture(scope="module")
def secured(
    live_world: LiveWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GatewayServer, AuthServer]]:
    with AuthServer([Client("utility-app", "utility-secret", frozenset({UTILITY}))]) as idp:
        path = write_federation(
            tmp_path_factory.mktemp("tokens") / "federation.yaml",
            {CITY: live_world.sim.urls[CITY]},
            auth={"issuer": idp.issuer, "audience": AUDIENCE},
        )
        with GatewayServer(str(path), live_poll_s=0.2) as gateway:
            yield gateway, idp


def test_a_scoped_token_receives_water_consumption(
    live_world: LiveWorld, secured: tuple[GatewayServer, AuthServer]
) -> None:
    gateway, idp = secured
    token = idp.token("utility-app", UTILITY)
    variables = {"type": "WaterConsumptionObserved", "cities": [CITY]}
    before = live_world.subscriptions()
    with subscribed("ws", f"{gateway.url}/graphql", QUERY, variables, token) as client:
        wait_until(lambda: all_primed(gateway, 1), 60, "the stream has its baseline")
        wait_until(
            lambda: live_world.subscribed_since(before, [CITY]),
            60,
            "the broker holds the gateway's subscription",
        )
        live_world.change()
        client.collect(lambda _: bool(client.events("EntityChanged")), 60, "an event")
    event = client.events("EntityChanged")[0]
    assert event["entity"]["type"] == "WaterConsumptionObserved"
    assert event["city"]["id"] == CITY


@pytest.mark.parametrize("protocol", ["ws", "sse"])
def test_an_expiring_token_ends_the_subscription_with_a_reason(
    secured: tuple[GatewayServer, AuthServer], protocol: str
) -> None:
    gateway, idp = secured
    token = idp.forge(idp.claims_for("utility-app", exp=int(time.time()) + 2))
    variables = {"type": "WeatherObserved", "cities": [CITY]}
    with subscribed(protocol, f"{gateway.url}/graphql", QUERY, variables, token) as client:
        client.collect(lambda seen: any("complete" in s for s in seen), 60, "the end")
    ended = [p for p in client.payloads() if p.get("errors")]
    assert ended, client.seen
    (error,) = ended[-1]["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"]
