"""Rate limits through the real gateway, on a manual clock: 429, Retry-After, RATE_LIMITED."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gateway.clock import Clocks
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post, upstream_requests
from tests.support.manual_clock import ManualClock
from tests.support.sim import Sim

QUERY = '{ entities(type: "WeatherObserved", first: 3) { nodes { id } } }'


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def gateway(
    sim: Sim, clock: ManualClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    path = write_federation(
        tmp_path_factory.mktemp("rate") / "federation.yaml",
        sim.urls,
        gateway={
            "rate_limit": {"requests_per_s": 0.5, "burst": 2},
            "response_cache": {"ttl_s": 0},
            "limits": {"batch": 5},
        },
    )
    with GatewayServer(str(path), clocks=Clocks.single(clock)) as server:
        yield server


def test_over_the_burst_a_caller_waits_for_its_bucket_to_refill(
    gateway: GatewayServer, clock: ManualClock
) -> None:
    clock.advance(3600)  # a full bucket
    assert [post(gateway.url, QUERY).status_code for _ in range(2)] == [200, 200]
    before = upstream_requests(gateway.url)
    refused = post(gateway.url, QUERY)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    body = refused.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert upstream_requests(gateway.url) == before

    clock.advance(1.0)
    assert post(gateway.url, QUERY).headers["Retry-After"] == "1"
    clock.advance(1.0)
    assert post(gateway.url, QUERY).status_code == 200
    assert post(gateway.url, QUERY).status_code == 429


def test_each_operation_of_a_batch_takes_a_token(
    gateway: GatewayServer, clock: ManualClock
) -> None:
    clock.advance(3600)
    batch = [{"query": "{ cities { id } }"}] * 3
    response = httpx.post(f"{gateway.url}/graphql", json=batch)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert httpx.post(f"{gateway.url}/graphql", json=batch[:2]).status_code == 200


def test_rate_limited_requests_are_counted(gateway: GatewayServer, clock: ManualClock) -> None:
    clock.advance(3600)
    for _ in range(3):
        post(gateway.url, QUERY)
    text = httpx.get(f"{gateway.url}/metrics").text
    assert 'caap_requests_refused_total{limit="rate_limited"}' in text
