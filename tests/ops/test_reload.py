"""Hot reload through the admin endpoint, ``caap reload`` and file watching.

A valid change is applied with no failed request under load, requests in flight
finishing on the old runtime; an invalid file is refused with the loader's own
words and the old federation keeps serving.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.ops.metrics_text import metric
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled
from tests.support.waiting import wait_until

OPTIONS = unthrottled(timeout_s=3.0)

CITIES = "{ cities { id } }"
WEATHER = """{ entities(type: "WeatherObserved", first: 1000) {
  nodes { id } coverage { city { id } status } } }"""


def _post(url: str, query: str) -> httpx.Response:
    return httpx.post(f"{url}/graphql", json={"query": query}, timeout=20)


def _city_ids(url: str) -> set[str]:
    return {c["id"] for c in _post(url, CITIES).json()["data"]["cities"]}


def test_a_valid_change_is_applied_under_load_without_a_failed_request(
    sim: Sim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="caap.reload")
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=OPTIONS)
    fewer = {city: url for city, url in sim.urls.items() if city != "umea"}
    answers: list[httpx.Response] = []
    stop = threading.Event()

    def load(url: str) -> None:
        with httpx.Client(timeout=20) as client:
            for _ in range(400):  # bounded: stops by itself
                if stop.is_set():
                    return
                answers.append(client.post(f"{url}/graphql", json={"query": WEATHER}))

    with (
        sim.fault("lund", {"mode": "slow", "delay_s": 0.4}),
        GatewayServer(str(path), reload_watch_s=0) as gateway,
    ):
        workers = [threading.Thread(target=load, args=(gateway.url,)) for _ in range(4)]
        for worker in workers:
            worker.start()
        wait_until(
            lambda: (metric(gateway.url, "caap_requests_in_flight") or 0) >= 2,
            10,
            "requests are in flight",
        )
        write_federation(path, fewer, gateway=OPTIONS)
        reloaded = httpx.post(f"{gateway.url}/admin/reload", timeout=20)
        before = len(answers)
        wait_until(lambda: len(answers) >= before + 8, 20, "requests were served after it")
        stop.set()
        for worker in workers:
            worker.join(timeout=20)
        assert _city_ids(gateway.url) == set(fewer)
        assert metric(gateway.url, 'caap_federation_reloads_total{outcome="applied"}') == 1
        wait_until(
            lambda: "previous federation closed" in caplog.text, 10, "the old runtime is closed"
        )
    assert reloaded.status_code == 200
    assert reloaded.json() == {
        "outcome": "applied",
        "source": str(path),
        "cities": 17,
        "problems": [],
    }
    assert [a.status_code for a in answers] == [200] * len(answers)
    bodies = [a.json() for a in answers]
    assert [b for b in bodies if "errors" in b] == []
    counts = {len(b["data"]["entities"]["coverage"]) for b in bodies}
    assert counts == {18, 17}, "requests ran on the old federation, then on the new one"


def test_an_invalid_file_is_refused_and_the_old_federation_keeps_serving(
    sim: Sim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=OPTIONS)
    with GatewayServer(str(path), reload_watch_s=0) as gateway:
        unchanged = httpx.post(f"{gateway.url}/admin/reload")
        assert unchanged.json()["outcome"] == "unchanged"
        text = path.read_text(encoding="utf-8").replace("kind: ngsi-ld", "kind: ngsi-lt", 1)
        path.write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "gateway", "reload", "--url", gateway.url]
        cli = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
        assert cli.returncode == 1
        assert _city_ids(gateway.url) == set(sim.urls)
        assert _post(gateway.url, WEATHER).json()["data"]["entities"]["coverage"][0]["status"] == (
            "OK"
        )
        assert metric(gateway.url, 'caap_federation_reloads_total{outcome="rejected"}') == 1
    printed = cli.stdout
    assert f"{path}: rejected, 18 cities" in printed
    assert "'ngsi-lt'" in printed  # the unknown kind
    assert "ngsi-ld" in printed  # and the known ones
    assert "reload refused" in caplog.text


def test_a_changed_file_is_picked_up_by_watching_it(sim: Sim, tmp_path: Path) -> None:
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=OPTIONS)
    three = {city: sim.urls[city] for city in ("malmo", "lund", "umea")}
    with GatewayServer(str(path), reload_watch_s=0.1) as gateway:
        write_federation(path, three, gateway=OPTIONS)
        wait_until(lambda: _city_ids(gateway.url) == set(three), 10, "the watcher reloads")


def test_reload_is_refused_to_other_hosts(sim: Sim, tmp_path: Path) -> None:
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=OPTIONS)
    with GatewayServer(str(path), reload_watch_s=0) as gateway:
        forwarded = httpx.post(
            f"{gateway.url}/admin/reload", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        assert forwarded.status_code == 403
        assert httpx.get(f"{gateway.url}/admin/reload").status_code == 405
