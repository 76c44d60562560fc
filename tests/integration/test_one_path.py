"""One path for every call to a city (issue 10): ``entities``, ``history`` and ``datasets``
all reach a city through its upstream guard, so a hanging city opens the same breaker and
every request sent to it is counted, whichever root field asked.

Each case: a fresh gateway whose breaker opens after two failed calls; the city hangs;
two queries time out; the third is answered at once with the breaker open (the city is
not asked), ``caap_circuit_state`` says open, and ``caap_upstream_requests_total`` counted
the two requests that were sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_datasets import demo_federation
from tests.support.gateway_server import GatewayServer
from tests.support.metrics_text import total
from tests.support.sim import Sim

CITY = "lund"  # NGSI-LD with the temporal API, and a CKAN catalogue
OPEN = 2.0  # caap_circuit_state: 0 closed, 1 half-open, 2 open

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "entities": (
        """query($cities: [ID!]) { entities(type: "WeatherObserved",
             filter: {cities: $cities}) { coverage { city { id } status message } } }""",
        {"cities": [CITY]},
    ),
    "history": (
        """query($from: DateTime!, $cities: [ID!]) { history(type: "WeatherObserved",
             from: $from, cities: $cities, lastN: 1) {
               coverage { city { id } status message } } }""",
        {"from": (datetime.now(UTC) - timedelta(hours=1)).isoformat(), "cities": [CITY]},
    ),
    "datasets": (
        """query($cities: [ID!]) { datasets(cities: $cities) {
             coverage { city { id } status message } } }""",
        {"cities": [CITY]},
    ),
}


@pytest.fixture
def gateway(sim: Sim, tmp_path: Path) -> Iterator[GatewayServer]:
    def edit(document: dict[str, Any]) -> None:
        document["gateway"] = {
            "timeout_s": 0.5,
            "deadline_s": 5.0,
            "cache": {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
            "resilience": {
                "retries": 0,
                "breaker": {"failure_ratio": 0.5, "min_calls": 2, "window_s": 60, "open_s": 60},
            },
        }

    path = demo_federation(tmp_path / "federation.yaml", dict(sim.urls), edit)
    with GatewayServer(str(path)) as server:
        yield server


def coverage(gw: GatewayServer, field: str) -> dict[str, Any]:
    query, variables = QUERIES[field]
    response = httpx.post(
        f"{gw.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is not None, body
    (line,) = body["data"][field]["coverage"]
    assert line["city"]["id"] == CITY
    return dict(line)


@pytest.mark.parametrize("field", sorted(QUERIES))
def test_a_hanging_city_opens_its_breaker_whichever_field_asks(
    gateway: GatewayServer, sim: Sim, field: str
) -> None:
    sent_before = total(gateway.url, "caap_upstream_requests_total", city=CITY)
    with sim.fault(CITY, {"mode": "hang"}):
        first = coverage(gateway, field)
        second = coverage(gateway, field)
        third = coverage(gateway, field)
    assert (first["status"], second["status"]) == ("TIMEOUT", "TIMEOUT")
    assert third["status"] == "UNAVAILABLE"
    assert "circuit breaker is open" in third["message"]
    assert total(gateway.url, "caap_circuit_state", city=CITY) == OPEN
    assert total(gateway.url, "caap_upstream_rejected_total", city=CITY, reason="circuit_open") == 1
    assert total(gateway.url, "caap_upstream_requests_total", city=CITY) - sent_before == 2
