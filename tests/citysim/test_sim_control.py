"""The control API: listing, and a 400 that says what is wrong with a bad request."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest

from citysim.cluster import SimCluster


async def call(
    session: aiohttp.ClientSession,
    cluster: SimCluster,
    method: str,
    path: str,
    data: bytes | None = None,
) -> tuple[int, Any]:
    async with session.request(method, cluster.control_url + path, data=data) as response:
        assert response.content_type == "application/json"
        return response.status, orjson.loads(await response.read())


async def test_cities_lists_urls_faults_and_modes(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    status, listing = await call(session, cluster, "GET", "/cities")
    assert status == 200
    assert {c["id"]: c["url"] for c in listing["cities"]} == cluster.urls
    assert [c["name"] for c in listing["cities"]] == ["Malmö", "Lund"]
    assert all(c["fault"] is None and c["listening"] for c in listing["cities"])
    assert set(listing["modes"]) == {
        "down",
        "hang",
        "slow",
        "error",
        "garbage",
        "429",
        "trickle",
        "truncated",
        "wrong_content_type",
        "huge",
        "redirect",
        "flapping",
    }
    assert "delay_s" in listing["modes"]["slow"]
    await cluster.set_fault("lund", "slow", delay_s=2)
    status, lund = await call(session, cluster, "GET", "/cities/lund")
    assert (status, lund["fault"]) == (200, {"mode": "slow", "delay_s": 2.0})


@pytest.mark.parametrize(
    ("method", "path", "body", "fragment"),
    [
        (
            "PUT",
            "/cities/atlantis/fault",
            b'{"mode": "down"}',
            "unknown city 'atlantis' (known: malmo, lund)",
        ),
        ("DELETE", "/cities/atlantis/fault", None, "known: malmo, lund"),
        ("GET", "/cities/atlantis", None, "known: malmo, lund"),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "sulk"}',
            "modes: down, hang, slow, error, garbage",
        ),
        ("PUT", "/cities/malmo/fault", b"{mode: down}", "not JSON"),
        ("PUT", "/cities/malmo/fault", b'["down"]', "JSON object"),
        ("PUT", "/cities/malmo/fault", b'{"delay_s": 1}', '"mode" is missing'),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "slow", "delay_s": "long"}',
            "delay_s must be a number",
        ),
        ("PUT", "/cities/malmo/fault", b'{"mode": "slow", "delay_s": -1}', "delay_s must be in"),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "error", "status": 200}',
            "status must be in 400..599",
        ),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "error", "retry_after": 1.5}',
            "retry_after must be an integer",
        ),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "down", "delay_s": 1}',
            "it takes: no parameters",
        ),
        (
            "PUT",
            "/cities/malmo/fault",
            b'{"mode": "error", "code": 1}',
            "it takes: status, retry_after",
        ),
    ],
)
async def test_bad_control_requests_say_what_is_wrong(
    session: aiohttp.ClientSession,
    cluster: SimCluster,
    method: str,
    path: str,
    body: bytes | None,
    fragment: str,
) -> None:
    status, answer = await call(session, cluster, method, path, body)
    assert status == 400
    assert fragment in answer["error"]
    assert all(server.fault is None for server in cluster.servers.values())


async def test_healing_a_healthy_city_is_fine(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    status, shown = await call(session, cluster, "DELETE", "/cities/malmo/fault")
    assert (status, shown["fault"]) == (200, None)
