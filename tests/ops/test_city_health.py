"""CityHealth: health from the last outcomes, latency percentiles, bounded memory."""

from __future__ import annotations

import time

from gateway.ops.status.city_health import CityHealth, Health


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
