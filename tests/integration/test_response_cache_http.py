"""The response cache through the real gateway: stored bytes served before GraphQL runs,
keyed by policy class, never across classes, never answers about the caller."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.audited_gateway import audited_gateway
from tests.support.auth_server import AuthServer, Client
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post, upstream_requests
from tests.support.sim import Sim

UTILITY = "caap:utility:read"
CLIENTS = [
    Client("utility-app", "utility-secret", frozenset({UTILITY})),
    Client("utility-app-2", "utility-secret-2", frozenset({UTILITY})),
    Client("plain-app", "plain-secret", frozenset({"caap:other"})),
]
WATER = """query($n: Int) { entities(type: "WaterConsumptionObserved", first: $n,
  filter: {cities: ["malmo", "lund"]}) { nodes { id city { id } attributes } } }"""
_pages = itertools.count(1)


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    with AuthServer(CLIENTS) as server:
        yield server


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("response-cache")


@pytest.fixture(scope="module")
def gateway(sim: Sim, idp: AuthServer, folder: Path) -> Iterator[GatewayServer]:
    with audited_gateway(sim.urls, idp, folder, response_cache={"ttl_s": 60}) as server:
        yield server


def counter(gw: GatewayServer, line_start: str) -> float:
    text = httpx.get(f"{gw.url}/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)
    )


def response_hits(gw: GatewayServer) -> float:
    return counter(gw, 'caap_cache_events_total{event="hit",tier="response"}')


def memory_lookups(gw: GatewayServer) -> float:
    return (
        counter(gw, 'caap_cache_events_total{event="')
        - response_hits(gw)
        - counter(gw, 'caap_cache_events_total{event="miss",tier="response"}')
    )


def ask(gw: GatewayServer, query: str, token: str | None = None, **variables: Any) -> bytes:
    response = post(gw.url, query, token, **variables)
    assert response.status_code == 200, response.text
    return response.content


def test_a_repeated_query_is_served_as_stored_bytes_before_graphql_runs(
    gateway: GatewayServer,
) -> None:
    query = '{ entities(type: "WeatherObserved", first: 7) { nodes { id } totalCount } }'
    first = ask(gateway, query)
    assert b'"errors"' not in first
    upstream, hits, lookups = (
        upstream_requests(gateway.url),
        response_hits(gateway),
        memory_lookups(gateway),
    )
    assert ask(gateway, query) == first
    assert upstream_requests(gateway.url) == upstream
    assert response_hits(gateway) == hits + 1
    assert memory_lookups(gateway) == lookups  # no resolver ran, no city cache was asked


def test_callers_of_the_same_policy_class_share_and_others_never_get_their_bytes(
    gateway: GatewayServer, idp: AuthServer
) -> None:
    n = next(_pages)
    utility = ask(gateway, WATER, idp.token("utility-app", UTILITY), n=n)
    assert b'"errors"' not in utility
    assert b"WaterConsumptionObserved" in utility
    hits = response_hits(gateway)

    anonymous = ask(gateway, WATER, n=n)
    plain = ask(gateway, WATER, idp.token("plain-app", "caap:other"), n=n)
    for other in (anonymous, plain):
        assert other != utility
        assert b"WaterConsumptionObserved:" not in other
        assert b"UNAUTHENTICATED" in other or b"FORBIDDEN" in other
    assert response_hits(gateway) == hits

    same_class = ask(gateway, WATER, idp.token("utility-app-2", UTILITY), n=n)
    assert same_class == utility
    assert response_hits(gateway) == hits + 1


def test_answers_about_the_caller_are_never_stored(gateway: GatewayServer, idp: AuthServer) -> None:
    query = "{ viewer { clientId } cities { id } }"
    one = ask(gateway, query, idp.token("utility-app", UTILITY))
    two = ask(gateway, query, idp.token("utility-app-2", UTILITY))
    assert b'"utility-app"' in one
    assert b'"utility-app-2"' in two


def test_answers_with_errors_are_not_stored(gateway: GatewayServer) -> None:
    query = '{ entities(type: "WeatherObserved", after: "garbage") { nodes { id } } }'
    ask(gateway, query)
    hits = response_hits(gateway)
    ask(gateway, query)
    assert response_hits(gateway) == hits


def test_a_hit_is_audited_for_its_caller(
    gateway: GatewayServer, idp: AuthServer, folder: Path
) -> None:
    n = next(_pages)
    audit = folder / "audit.jsonl"
    ask(gateway, WATER, idp.token("utility-app", UTILITY), n=n)
    before = audit.read_text(encoding="utf-8").count("\n")
    ask(gateway, WATER, idp.token("utility-app-2", UTILITY), n=n)
    lines = audit.read_text(encoding="utf-8").splitlines()[before:]
    assert len(lines) == 2  # malmo and lund, for the second caller
    assert all('"client_id":"utility-app-2"' in line for line in lines)
