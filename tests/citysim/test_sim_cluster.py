"""Running the cities: 18 ports, fixed ports, SimThread, startup errors, size, the CLI."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import threading
import urllib.request
from collections.abc import Iterator

import aiohttp
import pytest

from citysim.cluster import SimCluster, SimThread
from citysim.municipalities import municipalities
from citysim.settings import SimSettings
from tests.citysim.sim_http import ManualClock, Ngsi, link


async def test_all_18_cities_listen_on_distinct_ports(session: aiohttp.ClientSession) -> None:
    async with SimCluster(SimSettings(clock=ManualClock())) as cluster:
        assert list(cluster.urls) == [m.id for m in municipalities()]
        ports = {url.rsplit(":", 1)[1] for url in cluster.urls.values()}
        ports.add(cluster.control_url.rsplit(":", 1)[1])
        assert len(ports) == 19
        client = Ngsi(cluster, session)
        answers = await asyncio.gather(
            *(
                client.get(city, params={"type": "Beach", "limit": "1"}, headers=link())
                for city in cluster.urls
            )
        )
        for city, answer in zip(cluster.urls, answers, strict=True):
            assert answer.json()[0]["id"] == f"urn:ngsi-ld:Beach:{city}-0000"


def free_block(size: int) -> int:
    """A base port with ``size`` free ports after it (checked just now)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base: int = probe.getsockname()[1]
        if base + size > 65535:
            continue
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports")


async def test_a_base_port_gives_each_city_its_place_in_the_file() -> None:
    base = free_block(18)
    settings = SimSettings(base_port=base, cities=("uppsala", "malmo"), clock=ManualClock())
    async with SimCluster(settings) as cluster:
        assert cluster.urls == {
            "uppsala": f"http://127.0.0.1:{base + 1}",
            "malmo": f"http://127.0.0.1:{base + 7}",
        }


@pytest.fixture
def sim_thread() -> Iterator[SimThread]:
    with SimThread(SimSettings(cities=("lund",), clock=ManualClock())) as running:
        yield running


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.status, response.read()


def test_sim_thread_serves_from_its_own_loop(sim_thread: SimThread) -> None:
    base = sim_thread.urls["lund"]
    status, body = get(f"{base}/ngsi-ld/v1/entities?type=WaterConsumptionObserved")
    assert status == 200
    assert len(json.loads(body)) == 12, "not in the unified context: the default vocabulary"
    status, body = get(f"{sim_thread.control_url}/cities")
    assert json.loads(body)["cities"][0]["id"] == "lund"
    sim_thread.set_fault("lund", "error", status=503)
    with pytest.raises(urllib.error.HTTPError) as failed:
        get(f"{sim_thread.urls['lund']}/ngsi-ld/v1/entities?type=Beach")
    assert failed.value.code == 503
    failed.value.close()
    sim_thread.heal("lund")
    assert get(f"{sim_thread.urls['lund']}/ngsi-ld/v1/types")[0] == 200


def test_sim_thread_stops_and_joins() -> None:
    before = threading.active_count()
    with SimThread(SimSettings(cities=("lund",))) as running:
        url = running.urls["lund"]
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
    with pytest.raises(urllib.error.URLError):
        get(f"{url}/ngsi-ld/v1/types")
    with pytest.raises(RuntimeError, match="not running"):
        _ = running.urls


def test_sim_thread_raises_what_stopped_the_start() -> None:
    with pytest.raises(ValueError, match=r"unknown city id 'atlantis' \(known: stockholm, uppsala"):
        SimThread(SimSettings(cities=("atlantis",))).start()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            SimThread(SimSettings(cities=("lund",), control_port=port)).start()


@pytest.mark.parametrize(
    "options",
    [
        {"entities_per_type": -1},
        {"latency_s": -0.1},
        {"base_port": 70000},
        {"bucket_s": 0},
        {"context_style": "mixed"},
    ],
)
def test_settings_refuse_impossible_values(options: dict[str, object]) -> None:
    name = next(iter(options)).removesuffix("_s").removesuffix("_per_type")
    with pytest.raises(ValueError, match=name.split("_")[0]):
        SimSettings(**options)  # type: ignore[arg-type]


async def test_settings_for_cities_that_do_not_run_are_refused() -> None:
    with pytest.raises(ValueError, match="'umea'"):
        await SimCluster(SimSettings(cities=("lund",), city_latency_s={"umea": 1.0})).start()


async def test_thousands_of_entities_per_type_are_paged_and_filtered(
    session: aiohttp.ClientSession,
) -> None:
    settings = SimSettings(cities=("malmo",), entities_per_type=5000, clock=ManualClock())
    async with SimCluster(settings) as cluster:
        client = Ngsi(cluster, session)
        page = await client.get(
            params={"type": "WeatherObserved", "limit": "1000", "count": "true"}, headers=link()
        )
        filtered = await client.get(
            params={
                "type": "WeatherObserved",
                "q": "temperature>-100",
                "limit": "1",
                "count": "true",
                "offset": "4999",
            },
            headers=link(),
        )
    assert page.headers["NGSILD-Results-Count"] == "5000"
    assert len(page.json()) == 1000
    assert filtered.json()[0]["id"] == "urn:ngsi-ld:WeatherObserved:malmo-4999"


async def run_cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "citysim",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    return process.returncode or 0, out.decode()


async def test_the_command_line_serves_and_controls(session: aiohttp.ClientSession) -> None:
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "citysim",
        "--base-port",
        "0",
        "--control-port",
        "0",
        "--cities",
        "malmo,lund",
        "--entities",
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        lines = [
            (await asyncio.wait_for(server.stdout.readline(), timeout=20)).decode()
            for _ in range(3)
        ]
        urls = dict(line.split() for line in lines)
        assert set(urls) == {"malmo", "lund", "control"}
        async with session.get(urls["lund"], params={"type": "Device"}, headers=link()) as response:
            assert len(await response.json()) == 3
        control = urls["control"].removesuffix("/cities")
        status, out = await run_cli(
            "fault", "lund", "error", "status=502", "--control-url", control
        )
        assert (status, json.loads(out)["fault"]["status"]) == (0, 502)
        status, out = await run_cli("status", "--control-url", control)
        assert [c["fault"] for c in json.loads(out)["cities"]] == [
            None,
            {"mode": "error", "status": 502, "retry_after": None},
        ]
        status, _ = await run_cli("fault", "lund", "sulk", "--control-url", control)
        assert status == 1
        status, _ = await run_cli("heal", "lund", "--control-url", control)
        assert status == 0
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=10)
    assert server.returncode == 0
