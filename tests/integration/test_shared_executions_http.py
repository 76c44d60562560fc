"""Identical requests in flight together share one execution (ADR 0027), through the real
gateway: only callers of one policy class, each audited for itself.

A city that hangs (citysim's ``hang`` fault) holds the first request's execution in flight
while the second is sent; the tests wait for the gateway's counters, never for a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.audited_gateway import audited_gateway
from tests.support.auth_server import AuthServer, Client
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post
from tests.support.sim import Sim
from tests.support.waiting import wait_until

UTILITY = "caap:utility:read"
CLIENTS = [
    Client("utility-app", "utility-secret", frozenset({UTILITY})),
    Client("utility-app-2", "utility-secret-2", frozenset({UTILITY})),
]
CITY = "lund"
WATER = """{ entities(type: "WaterConsumptionObserved", first: 3, filter: {cities: ["lund"]})
  { nodes { id city { id } } } }"""
"""Asked by one test only: the first ask calls the platform (the data cache holds it after)."""
WEATHER = """query($n: DateTime) { entities(type: "WeatherObserved", first: 3,
  filter: {cities: ["lund"], observedAfter: $n}) { nodes { id } } }"""
_seconds = itertools.count(1)


def new_question() -> str:
    """A time before every observation no earlier test asked: no cache holds its answer."""
    return (datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=next(_seconds))).isoformat()


WAIT_S = 10.0


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    with AuthServer(CLIENTS) as server:
        yield server


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-executions")


@pytest.fixture(scope="module")
def gateway(sim: Sim, idp: AuthServer, folder: Path) -> Iterator[GatewayServer]:
    with audited_gateway(
        sim.urls, idp, folder, response_cache={"ttl_s": 30}, cache={"ttl_s": 30}
    ) as server:
        yield server


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def request_events(gw: GatewayServer, event: str) -> float:
    line = f'caap_cache_events_total{{event="{event}",tier="request"}} '
    text = httpx.get(f"{gw.url}/metrics").text
    return sum(float(x.rsplit(" ", 1)[1]) for x in text.splitlines() if x.startswith(line))


def city_requests(sim: Sim) -> int:
    return int(sim.requests(CITY)["total"])


def send(
    pool: ThreadPoolExecutor, gw: GatewayServer, query: str, token: str | None, n: str | None
) -> Future[httpx.Response]:
    if n is None:
        return pool.submit(post, gw.url, query, token)
    return pool.submit(post, gw.url, query, token, n=n)


def test_an_identical_request_joins_the_execution_in_flight_and_is_audited_for_itself(
    gateway: GatewayServer, idp: AuthServer, sim: Sim, folder: Path, pool: ThreadPoolExecutor
) -> None:
    n = new_question()
    audit = folder / "audit.jsonl"
    before_lines = audit.read_text(encoding="utf-8").count("\n") if audit.exists() else 0
    executed, coalesced = request_events(gateway, "executed"), request_events(gateway, "coalesced")
    asked = city_requests(sim)
    with sim.fault(CITY, {"mode": "hang"}):
        first = send(pool, gateway, WEATHER, idp.token("utility-app", UTILITY), n)
        wait_until(lambda: city_requests(sim) > asked, WAIT_S, "the first call reached lund")
        second = send(pool, gateway, WEATHER, idp.token("utility-app-2", UTILITY), n)
        wait_until(
            lambda: request_events(gateway, "coalesced") > coalesced,
            WAIT_S,
            "the second request joined the first's execution",
        )
    one, two = first.result(timeout=WAIT_S), second.result(timeout=WAIT_S)
    assert one.status_code == two.status_code == 200
    assert b'"errors"' not in one.content
    assert b"WeatherObserved:lund" in one.content
    assert two.content == one.content
    assert request_events(gateway, "executed") == executed + 1
    assert request_events(gateway, "coalesced") == coalesced + 1
    assert city_requests(sim) == asked + 1
    lines = audit.read_text(encoding="utf-8").splitlines()[before_lines:]
    assert sorted(line.split('"client_id":"')[1].split('"')[0] for line in lines) == [
        "utility-app",
        "utility-app-2",
    ]
    assert all('"city":"lund"' in line and '"decision":"allow"' in line for line in lines)
    assert len({line.split('"client_id"')[1] for line in lines}) == 2  # each its own line


def test_callers_of_different_policy_classes_never_share_an_execution(
    gateway: GatewayServer, idp: AuthServer, sim: Sim, pool: ThreadPoolExecutor
) -> None:
    n = new_question()
    executed, coalesced = request_events(gateway, "executed"), request_events(gateway, "coalesced")
    asked = city_requests(sim)
    with sim.fault(CITY, {"mode": "hang"}):
        anonymous = send(pool, gateway, WEATHER, None, n)
        wait_until(lambda: city_requests(sim) > asked, WAIT_S, "the first call reached lund")
        with_token = send(pool, gateway, WEATHER, idp.token("utility-app", UTILITY), n)
        wait_until(
            lambda: request_events(gateway, "executed") >= executed + 2,
            WAIT_S,
            "the second request started its own execution",
        )
    public, utility = anonymous.result(timeout=WAIT_S), with_token.result(timeout=WAIT_S)
    assert public.status_code == utility.status_code == 200
    assert b'"errors"' not in public.content
    assert b'"errors"' not in utility.content
    assert request_events(gateway, "executed") == executed + 2
    assert request_events(gateway, "coalesced") == coalesced


def test_a_caller_who_may_not_see_the_data_never_gets_it_from_an_execution_in_flight(
    gateway: GatewayServer, idp: AuthServer, sim: Sim, pool: ThreadPoolExecutor
) -> None:
    coalesced = request_events(gateway, "coalesced")
    asked = city_requests(sim)
    with sim.fault(CITY, {"mode": "hang"}):
        allowed = send(pool, gateway, WATER, idp.token("utility-app", UTILITY), None)
        wait_until(lambda: city_requests(sim) > asked, WAIT_S, "the first call reached lund")
        anonymous = post(gateway.url, WATER)  # answered while the first hangs
    assert anonymous.status_code == 200
    assert b"WaterConsumptionObserved:" not in anonymous.content
    assert b"UNAUTHENTICATED" in anonymous.content or b"FORBIDDEN" in anonymous.content
    assert b"WaterConsumptionObserved:lund" in allowed.result(timeout=WAIT_S).content
    assert request_events(gateway, "coalesced") == coalesced
