"""Acceptance of issue 5 through the real gateway over HTTP against citysim: single-flight,
policy classes in cache keys, stale-if-error, the circuit breaker, client disconnects.

Cache lifetimes and breaker windows run on a manual clock: no test sleeps for them.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from gateway.clock import Clocks
from tests.support.auth_server import AuthServer, Client
from tests.support.federation_files import municipalities, write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.manual_clock import ManualClock
from tests.support.metrics_text import requests_per_city, total, wait_for
from tests.support.sim import Sim

CITIES = [m["id"] for m in municipalities()]
PAGE_SIZE = 5  # 12 entities per city: pages of 5, 5 and 2
PAGES = 3
WEATHER = """query($filter: EntityFilter) {
  entities(type: "WeatherObserved", first: 1000, filter: $filter) {
    nodes { id city { id } }
    coverage { city { id } status message stale }
  }
}"""


def body(filter: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": WEATHER, "variables": {"filter": filter}}


def post(gw: GatewayServer, filter: dict[str, Any] | None = None, **headers: str) -> Any:
    response = httpx.post(f"{gw.url}/graphql", json=body(filter), headers=headers, timeout=30)
    assert response.status_code == 200
    return response.json()


def coverage_of(answer: Any, city: str) -> dict[str, Any]:
    return next(c for c in answer["data"]["entities"]["coverage"] if c["city"]["id"] == city)


def federation(sim: Sim, folder: Path, **gateway: Any) -> str:
    path = write_federation(
        folder / "federation.yaml",
        sim.urls,
        # timeouts far above what a loaded machine needs: these tests count calls, not time
        gateway={"timeout_s": 10.0, "deadline_s": 20.0, **gateway},
        adapter_options={"page_size": PAGE_SIZE},
    )
    return str(path)


async def concurrently(url: str, n: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        return list(
            await asyncio.gather(*(client.post(f"{url}/graphql", json=body()) for _ in range(n)))
        )


def test_100_concurrent_identical_cold_queries_make_one_call_per_city_and_page(
    sim: Sim, tmp_path: Path
) -> None:
    with GatewayServer(federation(sim, tmp_path)) as gw:
        responses = asyncio.run(concurrently(gw.url, 100))
        assert {r.status_code for r in responses} == {200}
        answers = [r.json()["data"]["entities"] for r in responses]
        assert all(len(a["nodes"]) == 18 * 12 for a in answers)
        assert requests_per_city(gw.url) == dict.fromkeys(CITIES, float(PAGES))
        coalesced = total(gw.url, "caap_cache_events_total", tier="memory", event="coalesced")
        hits = total(gw.url, "caap_cache_events_total", tier="memory", event="hit")
        # a request that joined an identical one in flight (ADR 0027), or found its answer
        # in the response cache, asked no city at all
        whole = total(gw.url, "caap_cache_events_total", tier="request", event="coalesced")
        whole += total(gw.url, "caap_cache_events_total", tier="response", event="hit")
        assert coalesced + hits + 18 * whole == 99 * 18


def test_callers_of_different_policy_classes_never_share_an_entry(sim: Sim, tmp_path: Path) -> None:
    """The same question, the same data sent upstream: only the policy class differs."""
    with AuthServer([Client("utility-app", "s", frozenset({"caap:utility:read"}))]) as idp:
        path = write_federation(
            tmp_path / "federation.yaml",
            sim.urls,
            adapter_options={"page_size": PAGE_SIZE},
            auth={"issuer": idp.issuer, "audience": "urn:caap:gateway"},
            datasets=lambda city: {
                "WeatherObserved": {"access": [{"scopes": ["caap:utility:read"]}, "public"]}
            },
        )
        token = idp.token("utility-app")
        with GatewayServer(str(path)) as gw:
            one = {"cities": ["malmo"]}
            anonymous = post(gw, one)
            with_token = post(gw, one, Authorization=f"Bearer {token}")
            assert requests_per_city(gw.url) == {"malmo": 2.0 * PAGES}
            post(gw, one)
            post(gw, one, Authorization=f"Bearer {token}")
            assert requests_per_city(gw.url) == {"malmo": 2.0 * PAGES}  # each class cached
    assert anonymous["data"] == with_token["data"]


def test_stale_if_error_serves_flagged_data_then_fails_after_the_window(
    sim: Sim, tmp_path: Path
) -> None:
    clock = ManualClock()
    path = federation(
        sim,
        tmp_path,
        cache={"ttl_s": 10, "stale_while_revalidate_s": 0, "stale_if_error_s": 60},
        resilience={"retries": 0},
    )
    one = {"cities": ["umea"]}
    with GatewayServer(path, clocks=Clocks.single(clock)) as gw:
        fresh = post(gw, one)
        assert coverage_of(fresh, "umea")["stale"] is False
        clock.advance(11)  # past the TTL
        with sim.fault("umea", {"mode": "error", "status": 500}):
            stale = post(gw, one)
            clock.advance(60)  # past stale-if-error
            failed = post(gw, one)
    assert stale["data"]["entities"]["nodes"] == fresh["data"]["entities"]["nodes"]
    flagged = coverage_of(stale, "umea")
    assert (flagged["status"], flagged["stale"]) == ("OK", True)
    assert "the platform failed" in flagged["message"]
    assert "errors" not in stale
    assert coverage_of(failed, "umea")["status"] == "FAILED"
    assert coverage_of(failed, "umea")["stale"] is False
    assert failed["data"]["entities"]["nodes"] == []
    assert failed["errors"][0]["extensions"] == {"code": "UPSTREAM_ERROR", "city": "umea"}


def test_an_open_breaker_costs_the_dead_city_no_connection_until_the_probe(
    sim: Sim, tmp_path: Path
) -> None:
    clock = ManualClock()
    path = federation(
        sim,
        tmp_path,
        cache={"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
        resilience={
            "retries": 0,
            "breaker": {"failure_ratio": 0.5, "min_calls": 2, "window_s": 60, "open_s": 30},
        },
    )
    one = {"cities": ["karlskrona"]}
    with GatewayServer(path, clocks=Clocks.single(clock)) as gw:

        def attempts() -> tuple[float, float]:
            return (
                total(gw.url, "caap_upstream_requests_total", city="karlskrona"),
                total(gw.url, "caap_upstream_connections_total", city="karlskrona"),
            )

        def state() -> float:
            return total(gw.url, "caap_circuit_state", city="karlskrona")

        with sim.fault("karlskrona", {"mode": "down"}):
            post(gw, one)
            post(gw, one)
            assert state() == 2
            opened = attempts()
            for _ in range(5):
                refused = coverage_of(post(gw, one), "karlskrona")
                assert refused["status"] == "UNAVAILABLE"
                assert "circuit breaker is open" in refused["message"]
            assert attempts() == opened, "not one connection attempt while open"
            clock.advance(30)
            post(gw, one)  # the half-open probe: one attempt, which fails
            assert attempts()[0] == opened[0] + 1
            assert state() == 2
            post(gw, one)
            assert attempts()[0] == opened[0] + 1
        clock.advance(30)
        healed = coverage_of(post(gw, one), "karlskrona")
        assert healed["status"] == "OK"
        assert state() == 0


def test_a_client_that_disconnects_cancels_its_upstream_call(sim: Sim, tmp_path: Path) -> None:
    path = federation(
        sim, tmp_path, cache={"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0}
    )
    with GatewayServer(path) as gw, sim.fault("halmstad", {"mode": "hang"}):
        payload = orjson.dumps(body({"cities": ["halmstad"]}))
        request = (
            f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        with socket.create_connection(("127.0.0.1", gw.port)) as client:
            client.sendall(request)

            def waiting() -> bool:
                return total(gw.url, "caap_upstream_in_flight", city="halmstad") == 1

            wait_for(waiting)
        # the client is gone while halmstad hangs: the gateway must stop waiting for it too

        def cancelled() -> bool:
            return total(gw.url, "caap_upstream_requests_total", outcome="cancelled") == 1

        wait_for(cancelled, timeout_s=5.0)  # well before the 10 s city timeout
        assert total(gw.url, "caap_upstream_in_flight", city="halmstad") == 0


@pytest.fixture(autouse=True)
def _no_leftover_faults(sim: Sim) -> Iterator[None]:
    yield
    for city in CITIES:
        sim.heal(city)
