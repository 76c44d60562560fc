"""Issue 4, item 7, directly: two callers of different policy classes asking the same question
never share a cache entry: not in the upstream cache (in-process or Redis, across two
gateway instances), not in the response cache. Counted by citysim, by the gateway's
metrics and by the keys in Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from tests.support.auth_server import AUDIENCE, AuthServer, Client
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post
from tests.support.metrics_text import total
from tests.support.redis_server import RedisServer
from tests.support.sim import Sim

CACHED = {
    "cache": {"ttl_s": 3600, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
    "response_cache": {"ttl_s": 3600},
    "rate_limit": {"requests_per_s": 0},
}
SAME_DATA = "AirQualityObserved"
"""A scope grant and a public grant that show the same: only the policy class differs."""
LESS_DATA = "WeatherObserved"
"""The public grant drops ``temperature``."""
QUERY = """query($type: String!) {
  entities(type: $type, first: 100) { nodes { id attributes } }
}"""


@dataclass
class Setup:
    one: GatewayServer
    two: GatewayServer
    redis: redis.Redis
    token: str


@pytest.fixture(scope="module")
def setup(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    datasets = {
        SAME_DATA: {"access": [{"scopes": ["s1"]}, {"public": True}]},
        LESS_DATA: {"access": [{"scopes": ["s1"]}, {"public": True, "drop": ["temperature"]}]},
    }
    with (
        AuthServer([Client("app", "app-secret", frozenset({"s1"}))]) as idp,
        RedisServer() as server,
    ):
        path = str(
            write_federation(
                tmp_path_factory.mktemp("isolation") / "federation.yaml",
                {"malmo": sim.urls["malmo"]},
                gateway=CACHED,
                auth={"issuer": idp.issuer, "audience": AUDIENCE},
                datasets=lambda city: datasets,
            )
        )
        client = redis.Redis.from_url(server.url)
        with (
            GatewayServer(path, redis_url=server.url) as one,
            GatewayServer(path, redis_url=server.url) as two,
        ):
            yield Setup(one, two, client, idp.token("app", "s1"))
        client.close()


def ask(gw: GatewayServer, type_: str, token: str | None = None) -> Any:
    response = post(gw.url, QUERY, token, type=type_)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    return body["data"]["entities"]["nodes"]


def hits(gw: GatewayServer, tier: str) -> float:
    return total(gw.url, "caap_cache_events_total", tier=tier, event="hit")


def asked(sim: Sim, type_: str) -> int:
    return int(sim.requests("malmo")["by_type"].get(type_, 0))


def test_the_same_question_in_two_policy_classes_is_two_entries_everywhere(
    setup: Setup, sim: Sim
) -> None:
    one, two = setup.one, setup.two
    sim.reset_requests()
    by_token = ask(one, SAME_DATA, setup.token)
    assert asked(sim, SAME_DATA) == 1
    response_hits = hits(one, "response")

    anonymous = ask(one, SAME_DATA)  # same question, same data, another class
    assert asked(sim, SAME_DATA) == 2  # not served from the token's upstream entry
    assert hits(one, "response") == response_hits  # nor from its stored response
    assert anonymous == by_token
    keys = setup.redis.keys("caap:v1:malmo:*")
    assert len(keys) == 2  # one shared entry per class

    redis_hits = hits(two, "redis")
    assert ask(two, SAME_DATA) == anonymous  # the other instance: each class its own entry
    assert ask(two, SAME_DATA, setup.token) == by_token
    assert hits(two, "redis") == redis_hits + 2
    assert asked(sim, SAME_DATA) == 2

    ask(one, SAME_DATA)
    ask(one, SAME_DATA, setup.token)
    assert hits(one, "response") == response_hits + 2  # each served its own stored answer
    assert asked(sim, SAME_DATA) == 2


@pytest.mark.parametrize("first", ["token", "anonymous"])
def test_what_one_class_may_see_never_reaches_the_other(setup: Setup, sim: Sim, first: str) -> None:
    type_ = LESS_DATA
    callers = [setup.token, None] if first == "token" else [None, setup.token]
    seen: dict[str | None, list[Any]] = {}
    for gw in (setup.one, setup.two, setup.one):  # cold or warm, on each instance
        for token in callers:
            seen.setdefault(token, []).append(ask(gw, type_, token))
    assert all(all("temperature" in n["attributes"] for n in a) for a in seen[setup.token])
    assert all(all("temperature" not in n["attributes"] for n in a) for a in seen[None])
    assert all(a == seen[None][0] for a in seen[None])
