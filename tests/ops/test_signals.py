"""Signals to a gateway process: SIGTERM drains the requests in flight, SIGHUP reloads."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx

from tests.ops.metrics_text import metric
from tests.support.federation_files import write_federation
from tests.support.gateway_process import GatewayProcess
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled
from tests.support.waiting import wait_until

WEATHER = """{ entities(type: "WeatherObserved", first: 1000, filter: {cities: ["malmo", "lund"]}) {
  nodes { id city { id } } coverage { city { id } status } } }"""


def test_sigterm_lets_requests_in_flight_finish_then_closes_sessions(
    sim: Sim, tmp_path: Path
) -> None:
    path = write_federation(
        tmp_path / "federation.yaml", sim.urls, gateway=unthrottled(timeout_s=5.0, deadline_s=8.0)
    )
    responses: list[httpx.Response] = []

    def ask(url: str) -> None:
        responses.append(httpx.post(f"{url}/graphql", json={"query": WEATHER}, timeout=20))

    with (
        sim.fault("malmo", {"mode": "slow", "delay_s": 1.5}),
        GatewayProcess(path, tmp_path / "gateway.log") as gateway,
    ):
        callers = [threading.Thread(target=ask, args=(gateway.url,)) for _ in range(4)]
        for caller in callers:
            caller.start()
        wait_until(
            lambda: metric(gateway.url, "caap_requests_in_flight") == 4,
            10,
            "four requests are in flight",
        )
        gateway.signal(signal.SIGTERM)
        for caller in callers:
            caller.join(timeout=20)
        status = gateway.wait(timeout_s=20)
    assert status in (0, -signal.SIGTERM)
    assert [r.status_code for r in responses] == [200] * 4
    for response in responses:
        body = response.json()
        assert "errors" not in body
        coverage = body["data"]["entities"]["coverage"]
        assert [c["status"] for c in coverage] == ["OK", "OK"]
        assert {n["city"]["id"] for n in body["data"]["entities"]["nodes"]} == {"malmo", "lund"}
    logs = gateway.logs()
    assert "every city's HTTP session is closed" in logs
    assert "Unclosed" not in logs
    assert "Traceback" not in logs


def test_sighup_reloads_a_valid_file_and_refuses_an_invalid_one(sim: Sim, tmp_path: Path) -> None:
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=unthrottled())
    fewer = {city: url for city, url in sim.urls.items() if city != "skelleftea"}
    with GatewayProcess(path, tmp_path / "gateway.log", CAAP_RELOAD_WATCH_S="0") as gateway:
        assert _cities(gateway.url) == 18
        write_federation(path, fewer, gateway=unthrottled())
        gateway.signal(signal.SIGHUP)
        wait_until(lambda: _cities(gateway.url) == 17, 10, "the reload removed a city")
        path.write_text("cities:\n  malmo: {name: Malmö}\n", encoding="utf-8")
        gateway.signal(signal.SIGHUP)
        wait_until(lambda: "reload refused" in gateway.logs(), 10, "the reload was refused")
        assert _cities(gateway.url) == 17
        assert "kommunkod" in gateway.logs()  # the loader's own words say what is missing


def _cities(url: str) -> int:
    return int(httpx.get(f"{url}/readyz", timeout=5).json()["cities"])
