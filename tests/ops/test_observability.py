"""Request ids (echoed, logged, sent upstream), JSON logs and the operations metrics."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.ops.logging_json import JsonFormatter
from tests.ops.metrics_text import metric
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled
from tests.support.uvicorn_thread import UvicornThread

CITIES = "{ cities { id } }"
WEATHER = """query($cities: [ID!]) { entities(type: "WeatherObserved", filter: {cities: $cities}) {
  nodes { id } coverage { status } } }"""


class Platform:
    """An NGSI-LD broker with no entities that remembers the headers it was sent."""

    def __init__(self) -> None:
        self.headers: list[httpx.Headers] = []
        self.thread = UvicornThread(
            Starlette(routes=[Route("/ngsi-ld/v1/entities", self._entities)]), "platform"
        )

    async def _entities(self, request: Request) -> Response:
        self.headers.append(httpx.Headers(request.headers.raw))
        return JSONResponse([], headers={"Cache-Control": "no-store"})


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    stub = Platform()
    stub.thread.start()
    try:
        yield stub
    finally:
        stub.thread.stop()


@pytest.fixture(scope="module")
def gateway(
    sim: Sim, platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    urls = {**sim.urls, "lund": platform.thread.url}
    path = write_federation(
        tmp_path_factory.mktemp("obs") / "federation.yaml", urls, gateway=unthrottled()
    )
    with GatewayServer(str(path), reload_watch_s=0) as server:
        yield server


def _post(
    gw: GatewayServer, query: str, headers: dict[str, str] | None = None, **variables: object
) -> httpx.Response:
    return httpx.post(
        f"{gw.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers or {},
        timeout=20,
    )


def test_a_plain_request_id_is_echoed_and_sent_to_the_platform(
    gateway: GatewayServer, platform: Platform
) -> None:
    response = _post(gateway, WEATHER, {"X-Request-ID": "trace-me-42"}, cities=["lund"])
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-me-42"
    assert platform.headers[-1]["x-request-id"] == "trace-me-42"


@pytest.mark.parametrize("given", [None, "", "two words", "x" * 129, "new\\nline"])
def test_a_missing_or_unsafe_request_id_is_replaced(
    gateway: GatewayServer, platform: Platform, given: str | None
) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}
    response = _post(gateway, WEATHER, headers, cities=["lund"])
    generated = response.headers["x-request-id"]
    assert len(generated) == 32
    assert int(generated, 16) >= 0
    assert platform.headers[-1]["x-request-id"] == generated


def test_every_endpoint_echoes_the_request_id(gateway: GatewayServer) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/status.json", "/nowhere"):
        response = httpx.get(f"{gateway.url}{path}", headers={"X-Request-ID": "abc"})
        assert response.headers["x-request-id"] == "abc", path


def test_metrics_count_requests_in_flight_errors_by_code_and_city_latency(
    gateway: GatewayServer,
) -> None:
    _post(gateway, WEATHER, cities=["malmo"])
    _post(gateway, WEATHER, cities=["atlantis"])  # BAD_USER_INPUT
    assert metric(gateway.url, "caap_requests_in_flight") == 0
    assert (metric(gateway.url, 'caap_graphql_errors_total{code="BAD_USER_INPUT"}') or 0) >= 1
    count = metric(gateway.url, 'caap_upstream_http_duration_seconds_count{city="malmo"}')
    assert count is not None
    assert count >= 1
    served = 'caap_http_requests_total{method="POST",route="/graphql",status="200"}'
    assert (metric(gateway.url, served) or 0) >= 2
    assert metric(gateway.url, "caap_federation_cities") == 18
    assert (metric(gateway.url, "caap_federation_loaded_timestamp_seconds") or 0) > 1.7e9
    assert metric(gateway.url, "caap_request_duration_seconds_count") is not None


def test_status_json_has_every_city_with_kind_health_and_map_position(
    gateway: GatewayServer,
) -> None:
    _post(gateway, WEATHER, cities=["malmo"])
    document = httpx.get(f"{gateway.url}/status.json").json()
    assert document["ready"] is True
    assert document["federation"]["cities"] == 18
    by_id = {c["id"]: c for c in document["cities"]}
    assert len(by_id) == 18
    malmo = by_id["malmo"]
    assert malmo["kind"] == "ngsi-ld"
    assert malmo["health"] == "up"
    assert malmo["p50Ms"] is not None
    assert malmo["p50Ms"] <= malmo["p95Ms"]
    assert 0 < malmo["x"] < document["map"]["width"]
    assert 0 < malmo["y"] < document["map"]["height"]
    north = by_id["skelleftea"]
    assert north["y"] < malmo["y"], "north is up"


def test_the_status_page_ships_its_assets_with_a_strict_policy(gateway: GatewayServer) -> None:
    page = httpx.get(f"{gateway.url}/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for asset in ("status.js", "status.css", "sweden.svg"):
        assert f"/status/{asset}" in page.text or asset == "sweden.svg"
        assert httpx.get(f"{gateway.url}/status/{asset}").status_code == 200
    assert "//" not in page.text.replace("http://www.w3.org", "")  # no CDN


def test_json_log_lines_carry_the_request_id() -> None:
    from gateway.http.request_id import RequestIdMiddleware

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("caap.test.json")
    logger.addHandler(handler)
    logger.propagate = False

    async def endpoint(request: Request) -> Response:
        logger.warning("hello %s", "there", extra={"fields": {"city": "malmo"}})
        return Response("ok")

    app = Starlette(routes=[Route("/", endpoint)])
    thread = UvicornThread(RequestIdMiddleware(app), "json-log")
    thread.start()
    try:
        httpx.get(thread.url, headers={"X-Request-ID": "log-me"})
    finally:
        thread.stop()
        logger.removeHandler(handler)
    line = orjson.loads(stream.getvalue().splitlines()[0])
    assert line["message"] == "hello there"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "log-me"
    assert line["city"] == "malmo"
    assert line["time"].endswith("+00:00")


def test_a_request_is_stamped_with_its_arrival_before_the_app_runs() -> None:
    """ADR 0025: what "fresh enough" counts from is when the HTTP layer saw the request."""
    import time

    from gateway.http.request_id import RequestIdMiddleware
    from gateway.query import arrival

    seen: list[float] = []
    outside = -1.0

    async def endpoint(request: Request) -> Response:
        seen.append(arrival.arrived(lambda: outside))
        return Response("ok")

    app = Starlette(routes=[Route("/", endpoint)])
    thread = UvicornThread(RequestIdMiddleware(app), "arrival")
    thread.start()
    try:
        before = time.monotonic()
        httpx.get(thread.url)
        after = time.monotonic()
    finally:
        thread.stop()
    assert len(seen) == 1
    assert before <= seen[0] <= after
    assert arrival.arrived(lambda: outside) == outside  # no stamp outside a request


def test_healthz_and_readyz(gateway: GatewayServer, tmp_path: Path) -> None:
    assert httpx.get(f"{gateway.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{gateway.url}/readyz").json()["status"] == "ready"
