"""Open the city-map example (examples/city-map/) in real Chromium for one city of each
platform kind, against the demo federation on simulated platforms started here; print JSON.

``python -m tests.support.city_map_session [SCREENSHOT]`` (the example's test runs it
inside an offline network namespace: ``unshare --net``, loopback only). Every visit loads
the page unchanged, with only its URL parameters differing; what the page shows is read
from the DOM. With SCREENSHOT, the first visit is also saved there as a PNG. Prints
``{"offline", "visits": {city: {...}}, "requests", "failed"}``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Page

from tests.integration.test_multi_kind_federation import demo_pointed_at
from tests.support.chromium import chromium_context
from tests.support.gateway_server import GatewayServer
from tests.support.graphiql_session import offline
from tests.support.sim import running_sim

VISITS: dict[str, dict[str, str]] = {
    "stockholm": {
        "type": "WeatherObserved",
        "lat": "59.33",
        "lon": "18.07",
        "radius": "8000",
        "attribute": "temperature",
    },
    "uppsala": {"type": "AirQualityObserved", "lat": "59.86", "lon": "17.64", "attribute": "pm25"},
    "eskilstuna": {"type": "WeatherObserved", "lat": "59.37", "lon": "16.51"},
    "helsingborg": {"type": "Beach", "radius": "40000"},  # the point: the entities' centre
}
"""City -> URL parameters: NGSI-LD, SensorThings, Lynx and REST/JSON cities of the demo."""
SETTLED = "() => document.getElementById('status').dataset.state !== 'loading'"
READ = """() => ({
  state: document.getElementById('status').dataset.state,
  status: document.getElementById('status').textContent,
  kind: document.getElementById('status').dataset.kind || null,
  title: document.getElementById('title').textContent,
  points: document.querySelectorAll('#points .point').length,
  items: [...document.querySelectorAll('#list li')].map(li => ({
    id: li.dataset.id, distance: Number(li.dataset.distance),
    value: li.querySelector('.value').textContent })),
})"""


def visit(page: Page, gateway: str, city: str, params: dict[str, str]) -> dict[str, Any]:
    """What the page shows for ``city``."""
    page.goto(f"{gateway}/examples/city-map/?{urlencode({'city': city, **params})}")
    page.wait_for_function(SETTLED, timeout=20_000)
    seen: dict[str, Any] = page.evaluate(READ)
    return seen


def run(screenshot: str | None) -> dict[str, Any]:
    """Every visit of ``VISITS``, and every request the pages made."""
    requests: list[str] = []
    failed: list[str] = []
    visits: dict[str, Any] = {}
    frozen = time.time()
    with (
        running_sim(seed=2026, entities_per_type=12, clock=lambda: frozen) as sim,
        tempfile.TemporaryDirectory() as folder,
    ):
        federation = demo_pointed_at(dict(sim.urls), Path(folder) / "federation.yaml")
        with (
            GatewayServer(str(federation)) as gateway,
            chromium_context(Path(folder) / "profile", {"width": 1100, "height": 720}) as context,
        ):
            context.on("request", lambda r: requests.append(r.url))
            context.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
            page = context.new_page()
            for city, params in VISITS.items():
                visits[city] = visit(page, gateway.url, city, params)
                if screenshot is not None and len(visits) == 1:
                    page.screenshot(path=screenshot, full_page=True)
    return {"offline": offline(), "visits": visits, "requests": requests, "failed": failed}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else None)))
