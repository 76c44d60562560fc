"""Each fault mode, switched on and off through the control API, seen by a real client."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson
import pytest

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import ENTITIES, ManualClock, Ngsi, link

WEATHER = {"type": "WeatherObserved"}


async def control(
    session: aiohttp.ClientSession, cluster: SimCluster, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    data = None if body is None else orjson.dumps(body)
    async with session.request(method, cluster.control_url + path, data=data) as response:
        return response.status, orjson.loads(await response.read())


async def set_fault(
    session: aiohttp.ClientSession, cluster: SimCluster, city: str, body: Mapping[str, Any]
) -> Any:
    status, shown = await control(session, cluster, "PUT", f"/cities/{city}/fault", body)
    assert status == 200, shown
    return shown


async def heal(session: aiohttp.ClientSession, cluster: SimCluster, city: str) -> None:
    status, shown = await control(session, cluster, "DELETE", f"/cities/{city}/fault")
    assert (status, shown["fault"]) == (200, None)


async def test_down_refuses_connections_until_healed_on_the_same_port(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    url = cluster.urls["malmo"]
    assert (await ngsi.get(params=WEATHER, headers=link())).status == 200  # a pooled connection
    shown = await set_fault(session, cluster, "malmo", {"mode": "down"})
    assert shown["fault"] == {"mode": "down"}
    assert shown["listening"] is False
    with pytest.raises(aiohttp.ClientConnectionError):
        await ngsi.get(params=WEATHER, headers=link())
    async with aiohttp.ClientSession() as fresh:
        with pytest.raises(aiohttp.ClientConnectorError) as refused:
            await fresh.get(url + ENTITIES)
    assert isinstance(refused.value.os_error, ConnectionRefusedError)
    assert (await ngsi.get("lund", params=WEATHER, headers=link())).status == 200
    await heal(session, cluster, "malmo")
    assert cluster.urls["malmo"] == url
    assert (await ngsi.get(params=WEATHER, headers=link())).status == 200


async def test_hang_accepts_but_never_answers(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "hang"})
    impatient = aiohttp.ClientTimeout(total=0.3)
    with pytest.raises(TimeoutError):
        await session.get(cluster.urls["malmo"] + ENTITIES, params=WEATHER, timeout=impatient)
    waiting = asyncio.create_task(ngsi.get(params=WEATHER, headers=link()))
    assert (await ngsi.get("lund", params=WEATHER, headers=link())).status == 200
    assert not waiting.done()
    await heal(session, cluster, "malmo")
    answer = await asyncio.wait_for(waiting, timeout=5)
    assert answer.status == 200, "a request held by the hang is answered once healed"


async def test_slow_delays_every_answer(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    shown = await set_fault(session, cluster, "malmo", {"mode": "slow", "delay_s": 0.3})
    assert shown["fault"] == {"mode": "slow", "delay_s": 0.3}
    started = time.monotonic()
    answer = await ngsi.get(params=WEATHER, headers=link())
    assert time.monotonic() - started >= 0.3
    assert answer.status == 200
    assert len(answer.json()) == 12


@pytest.mark.parametrize(
    ("body", "status", "retry_after"),
    [
        ({"mode": "error", "status": 503, "retry_after": 7}, 503, "7"),
        ({"mode": "error", "status": 500}, 500, None),
        ({"mode": "error"}, 500, None),
    ],
)
async def test_error_answers_with_the_status_asked_for(
    ngsi: Ngsi,
    session: aiohttp.ClientSession,
    cluster: SimCluster,
    body: dict[str, Any],
    status: int,
    retry_after: str | None,
) -> None:
    await set_fault(session, cluster, "malmo", body)
    answer = await ngsi.get(params=WEATHER, headers=link())
    assert answer.status == status
    assert answer.headers.get("Retry-After") == retry_after
    assert answer.json()["status"] == status
    await heal(session, cluster, "malmo")
    assert (await ngsi.get(params=WEATHER, headers=link())).status == 200


async def test_garbage_is_200_json_that_does_not_parse(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "garbage"})
    answer = await ngsi.get(params=WEATHER, headers=link())
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    with pytest.raises(orjson.JSONDecodeError):
        answer.json()


async def test_a_new_fault_replaces_the_old_one(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "down"})
    shown = await set_fault(session, cluster, "malmo", {"mode": "error", "status": 502})
    assert shown["listening"] is True
    assert (await ngsi.get(params=WEATHER, headers=link())).status == 502


async def test_latency_is_a_setting_per_city(session: aiohttp.ClientSession) -> None:
    """Malmö is held back for a minute; Lund answers while Malmö's request still waits."""
    settings = SimSettings(
        cities=("malmo", "lund"), city_latency_s={"malmo": 60.0}, clock=ManualClock()
    )
    async with SimCluster(settings) as cluster:
        client = Ngsi(cluster, session)
        slow = asyncio.create_task(client.get(params=WEATHER, headers=link()))
        assert (await client.get("lund", params=WEATHER, headers=link())).status == 200
        assert not slow.done()
        slow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow


async def test_the_cluster_api_switches_faults_too(ngsi: Ngsi, cluster: SimCluster) -> None:
    await cluster.set_fault("lund", "error", status=503)
    assert (await ngsi.get("lund", params=WEATHER, headers=link())).status == 503
    await cluster.heal("lund")
    assert (await ngsi.get("lund", params=WEATHER, headers=link())).status == 200
