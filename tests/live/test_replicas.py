"""Two gateway processes and a real redis-server (issue 15, item 5): one replica holds the
upstream stream (a lease), both deliver its events; when the holder dies, the other takes
the stream over and its subscriber keeps receiving."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.live.conftest import LiveWorld
from tests.live.node_client import NodeSubscription, subscribed
from tests.support.gateway_process import GatewayProcess
from tests.support.metrics_text import total
from tests.support.redis_server import RedisServer
from tests.support.waiting import wait_until

CITY = "malmo"
QUERY = (
    'subscription($cities: [ID!]) { entityChanges(type: "WeatherObserved", cities: $cities) '
    "{ __typename ... on EntityChanged { entity { id observedAt } } } }"
)


def _streams(gateway: GatewayProcess) -> float:
    return total(gateway.url, "caap_live_upstream_streams")


def _observed(client: NodeSubscription) -> set[str]:
    return {e["entity"]["observedAt"] for e in client.events("EntityChanged")}


def test_one_replica_holds_the_stream_and_the_other_takes_it_over(
    live_world: LiveWorld, tmp_path: Path
) -> None:
    env = {"CAAP_LIVE_POLL_S": "0.2", "CAAP_LIVE_LEASE_S": "1.5", "CAAP_RELOAD_WATCH_S": "0"}
    before = live_world.subscriptions()
    with RedisServer() as redis:
        env["CAAP_REDIS_URL"] = redis.url
        with (
            GatewayProcess(live_world.federation, tmp_path / "a.log", **env) as a,
            GatewayProcess(live_world.federation, tmp_path / "b.log", **env) as b,
            subscribed("ws", f"{a.url}/graphql", QUERY, {"cities": [CITY]}) as at_a,
            subscribed("ws", f"{b.url}/graphql", QUERY, {"cities": [CITY]}) as at_b,
        ):
            for gateway in (a, b):
                wait_until(
                    lambda g=gateway: total(g.url, "caap_live_subscriptions") == 1,  # type: ignore[misc]
                    60,
                    "each replica has its subscriber",
                )
            wait_until(lambda: _streams(a) + _streams(b) == 1, 60, "one replica holds the lease")
            holder, other = (a, b) if _streams(a) == 1 else (b, a)
            wait_until(
                lambda: live_world.subscribed_since(before, [CITY]), 60, "the holder subscribed"
            )
            assert total(other.url, "caap_upstream_requests_total", city=CITY) == 0

            live_world.change()
            for client in (at_a, at_b):
                client.collect(lambda _, c=client: len(_observed(c)) >= 3, 60, "3 changes")  # type: ignore[misc]
            first = _observed(at_a)
            assert _observed(at_b) == first

            holder.signal(signal.SIGKILL)
            holder.wait()
            survivor = at_b if holder is a else at_a
            wait_until(lambda: _streams(other) == 1, 60, "the other replica took the stream")
            held = {CITY: before.get(CITY, 0) + 1}  # the dead holder's subscription stays
            wait_until(
                lambda: live_world.subscribed_since(held, [CITY]), 60, "the new holder subscribed"
            )
            live_world.change()
            survivor.collect(
                lambda _: len(_observed(survivor) - first) >= 3, 60, "changes after the takeover"
            )
