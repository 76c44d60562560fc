"""The fault modes of issue 5 (429, trickle, truncated, wrong content type, huge, redirect,
flapping), switched on through the control API and seen by a real client."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
import orjson
import pytest

from citysim.cluster import SimCluster
from tests.citysim.sim_http import ENTITIES, Ngsi, link
from tests.citysim.test_sim_faults import heal, set_fault
from tests.support.eventually import settle

WEATHER = {"type": "WeatherObserved"}


async def test_429_says_when_to_come_back(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    shown = await set_fault(session, cluster, "malmo", {"mode": "429", "retry_after": 7})
    assert shown["fault"] == {"mode": "429", "retry_after": 7}
    answer = await ngsi.get(params=WEATHER, headers=link())
    assert answer.status == 429
    assert answer.headers["Retry-After"] == "7"
    assert answer.json()["status"] == 429


async def test_trickle_sends_headers_then_dribbles_the_body_until_healed(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "trickle", "interval_s": 60})
    url = cluster.urls["malmo"] + ENTITIES
    async with session.get(url, params=WEATHER, headers=link()) as response:
        assert response.status == 200
        length = response.content_length
        assert length is not None
        assert length > 100
        first = await response.content.readexactly(1)  # one byte, then a minute's wait
        reading = asyncio.create_task(response.content.read())
        await settle()  # the sim runs in this loop: whatever it would send now has arrived
        assert not reading.done()
        await heal(session, cluster, "malmo")
        rest = await asyncio.wait_for(reading, 5)
    assert len(first + rest) == length
    assert isinstance(orjson.loads(first + rest), list)


async def test_truncated_promises_more_than_it_sends(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "truncated", "fraction": 0.5})
    url = cluster.urls["malmo"] + ENTITIES
    async with session.get(url, params=WEATHER, headers=link()) as response:
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


async def test_wrong_content_type_is_an_html_page(
    ngsi: Ngsi, session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "wrong_content_type"})
    answer = await ngsi.get(params=WEATHER, headers=link())
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.body.startswith(b"<!doctype html>")


async def test_huge_streams_a_valid_json_array_of_the_size_asked_for(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "huge", "size_mb": 2})
    url = cluster.urls["malmo"] + ENTITIES
    async with session.get(url, params=WEATHER, headers=link()) as response:
        assert response.content_length is None  # chunked: only a cap on bytes read helps
        body = await response.read()
    assert 2 * 1024 * 1024 - 65536 <= len(body) <= 2 * 1024 * 1024 + 65536
    assert orjson.loads(body)[0]["type"] == "Thing"


async def test_redirect_points_to_another_host(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    body = {"mode": "redirect", "status": 307, "to": "http://elsewhere.example"}
    await set_fault(session, cluster, "malmo", body)
    url = cluster.urls["malmo"] + ENTITIES
    async with session.get(url, params=WEATHER, allow_redirects=False) as response:
        assert response.status == 307
        location = response.headers["Location"]
    assert location.startswith("http://elsewhere.example/ngsi-ld/v1/entities?")
    assert "type=WeatherObserved" in location


async def test_flapping_alternates_by_request_count(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "flapping", "up": 2, "down": 1})
    seen = [await _status(session, cluster) for _ in range(6)]
    assert seen == ["dropped", "ok", "ok", "dropped", "ok", "ok"]


async def test_flapping_can_start_up(session: aiohttp.ClientSession, cluster: SimCluster) -> None:
    await set_fault(session, cluster, "malmo", {"mode": "flapping", "start": "up"})
    assert [await _status(session, cluster) for _ in range(4)] == ["ok", "dropped"] * 2


async def _status(session: aiohttp.ClientSession, cluster: SimCluster) -> str:
    """One request, never retried (aiohttp retries a dropped idempotent request once)."""
    url = cluster.urls["malmo"] + ENTITIES
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(url, params=WEATHER)
    except httpx.TransportError:
        return "dropped"
    return "ok" if response.status_code == 200 else str(response.status_code)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"mode": "429", "retry_after": -1}, "retry_after must be in 0..86400"),
        ({"mode": "trickle", "chunk_bytes": 0}, "chunk_bytes must be in 1..65536"),
        ({"mode": "truncated", "fraction": 1}, "fraction must be below 1"),
        ({"mode": "wrong_content_type", "content_type": "html"}, "content_type must be a media"),
        ({"mode": "huge", "size_mb": 0}, "size_mb must be in 1..4096"),
        ({"mode": "redirect", "status": 304}, "status must be one of 301, 302, 303, 307, 308"),
        ({"mode": "redirect", "to": "ftp://x"}, "to must be an http(s) origin"),
        ({"mode": "flapping", "start": "sideways"}, "start must be up or down"),
        ({"mode": "flapping", "period": 1}, "does not take 'period'"),
    ],
)
async def test_bad_parameters_are_refused_with_the_reason(
    session: aiohttp.ClientSession, cluster: SimCluster, body: Mapping[str, Any], error: str
) -> None:
    url = f"{cluster.control_url}/cities/malmo/fault"
    async with session.put(url, data=orjson.dumps(body)) as response:
        assert response.status == 400
        assert error in (await response.json())["error"]
