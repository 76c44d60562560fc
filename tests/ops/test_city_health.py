"""CityHealth: health from the last outcomes, latency percentiles, bounded memory."""

from __future__ import annotations

import time

import aiohttp
from aiohttp.client_reqrep import ConnectionKey

from adapters.errors import UpstreamError
from gateway.ops.status.city_health import CityHealth, Health, describe


def test_a_city_never_asked_is_unknown() -> None:
    assert CityHealth().view("malmo").health is Health.UNKNOWN


def test_health_follows_the_last_outcomes() -> None:
    health = CityHealth(window=20)
    for ms in range(1, 21):
        health.observe_ok("malmo", ms / 1000)
    view = health.view("malmo")
    assert view.health is Health.UP
    assert view.p50_ms == 11.0
    assert view.p95_ms == 19.0
    health.observe_error("malmo", "ClientConnectorError: refused")
    down = health.view("malmo")
    assert down.health is Health.DOWN
    assert down.last_error is not None
    assert down.last_error.message == "ClientConnectorError: refused"
    health.observe_ok("malmo", 0.01)
    assert health.view("malmo").health is Health.DEGRADED
    assert health.view("malmo").requests == 20  # bounded by the window


def test_a_probe_failure_names_the_http_failure_it_follows() -> None:
    health = CityHealth()
    since = time.monotonic()
    health.observe_error("lund", "ClientConnectorError")
    health.note_failure("lund", "UpstreamUnavailable: cannot connect", since)
    view = health.view("lund")
    assert view.requests == 1
    assert view.last_error is not None
    assert view.last_error.message == "UpstreamUnavailable: cannot connect"


def test_cities_that_left_are_forgotten() -> None:
    health = CityHealth()
    health.observe_ok("malmo", 0.01)
    health.observe_ok("lund", 0.01)
    health.retain(["lund"])
    assert health.view("malmo").health is Health.UNKNOWN
    assert health.view("lund").health is Health.UP


def test_l5_the_status_page_names_no_host_and_no_platform_text() -> None:
    """Finding L5: /status.json showed internal host:port and the platform's words."""
    refused = ConnectionRefusedError(111, "Connection refused")
    connector = aiohttp.ClientConnectorError(
        ConnectionKey("10.0.4.7", 9108, False, True, None, None, None), refused
    )
    assert "10.0.4.7" in str(connector)
    assert describe(connector) == "ClientConnectorError: Connection refused"
    upstream = UpstreamError("HTTP 500: urn:ngsi-ld:WaterMeter:secret-0042 is locked", status=500)
    assert describe(upstream) == "UpstreamError: the platform answered with an error (HTTP 500)"
