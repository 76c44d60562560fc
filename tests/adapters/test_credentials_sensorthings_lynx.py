"""Upstream credentials in the SensorThings and Lynx adapters, against simulated cities that a
test protects through citysim's control API (``PUT /cities/{id}/protection``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from adapters.contract import AdapterContext, SourceQuery
from adapters.errors import ConfigError, UpstreamError
from adapters.lynx import LynxAdapter
from adapters.sensorthings import SensorThingsAdapter
from citysim.cluster import SimCluster
from citysim.lynx import DEMO_API_KEY
from citysim.settings import SimSettings
from tests.conformance import truth

STA, LYNX = truth.demo_city("sensorthings"), truth.demo_city("lynx")
SECRET = "frost-and-lynx-client-secret-41b7"
WEATHER = SourceQuery("WeatherObserved", limit=100)
LOG = logging.getLogger("test.credentials.adopted")


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(seed=7, entities_per_type=5, cities=(STA, LYNX), clock=lambda: 1.8e9)
    async with SimCluster(settings) as running:
        yield running


async def control(cluster: SimCluster, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else orjson.dumps(body)
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, cluster.control_url + path, data=data) as answer,
    ):
        assert answer.status == 200, await answer.text()
        return orjson.loads(await answer.read())


async def protect_with_oauth2(cluster: SimCluster, city: str) -> dict[str, Any]:
    """Protect ``city``; the ``credentials`` section of a client it knows."""
    body = {"mode": "oauth2", "client_id": "caap", "client_secret": SECRET}
    await control(cluster, "PUT", f"/cities/{city}/protection", body)
    token_url = f"{cluster.urls[city]}/oauth/token"
    return {"oauth2": {"token_url": token_url, "client_id": "caap", "client_secret": SECRET}}


async def fetch_twice(adapter: SensorThingsAdapter | LynxAdapter) -> list[str]:
    try:
        first = await adapter.fetch_entities(WEATHER)
        second = await adapter.fetch_entities(WEATHER)
    finally:
        await adapter.aclose()
    assert [e.id for e in first.entities] == [e.id for e in second.entities]
    return sorted(e.id for e in first.entities)


async def test_sensorthings_reads_a_city_that_wants_an_oauth2_token(cluster: SimCluster) -> None:
    _, options = truth.demo_options("sensorthings", cluster.urls[STA])
    credentials = await protect_with_oauth2(cluster, STA)
    anonymous = SensorThingsAdapter(options, AdapterContext(STA, LOG))
    try:
        with pytest.raises(UpstreamError) as refused:
            await anonymous.fetch_entities(WEATHER)
    finally:
        await anonymous.aclose()
    adapter = SensorThingsAdapter({**options, "credentials": credentials}, AdapterContext(STA, LOG))
    got = await fetch_twice(adapter)
    expected = truth.sensorthings(cluster.servers[STA].world, options)["WeatherObserved"]
    assert refused.value.status == 401
    assert got == sorted(e.id for e in expected)
    assert SECRET not in repr(adapter.config)
    shown = await control(cluster, "GET", f"/cities/{STA}")
    assert shown["protection"]["tokens_issued"] == 1  # one token for both queries


async def test_lynx_keeps_its_api_key_behind_an_oauth2_gate(cluster: SimCluster) -> None:
    _, options = truth.demo_options("lynx", cluster.urls[LYNX])
    credentials = await protect_with_oauth2(cluster, LYNX)
    adapter = LynxAdapter({**options, "credentials": credentials}, AdapterContext(LYNX, LOG))
    got = await fetch_twice(adapter)
    expected = truth.lynx(cluster.servers[LYNX].world, options)["WeatherObserved"]
    assert got == sorted(e.id for e in expected)
    shown = await control(cluster, "GET", f"/cities/{LYNX}")
    assert (shown["protection"]["tokens_issued"], shown["protection"]["refused"]) == (1, 0)


async def test_lynx_takes_its_key_from_credentials_instead(cluster: SimCluster) -> None:
    _, options = truth.demo_options("lynx", cluster.urls[LYNX])
    body = {"mode": "api_key", "header": "X-API-Key", "key": DEMO_API_KEY}
    await control(cluster, "PUT", f"/cities/{LYNX}/protection", body)
    del options["api_key"]
    key = {"api_key": {"header": "X-API-Key", "value": DEMO_API_KEY}}
    adapter = LynxAdapter({**options, "credentials": key}, AdapterContext(LYNX, LOG))
    assert len(await fetch_twice(adapter)) == 5
    shown = await control(cluster, "GET", f"/cities/{LYNX}")
    assert shown["protection"]["refused"] == 0


@pytest.mark.parametrize(
    ("kind", "change", "key"),
    [
        ("lynx", {"api_key": None}, "api_key"),
        ("lynx", {"auth": "bearer", "credentials": "oauth2"}, "credentials"),
        ("lynx", {"credentials": {"api_key": {"query": "topics", "value": "k"}}}, "credentials"),
        ("sensorthings", {"headers": {"Authorization": "x"}, "credentials": "oauth2"}, "cred"),
        ("sensorthings", {"url": "http://frost.example.se", "credentials": "oauth2"}, "cred"),
        ("sensorthings", {"credentials": {"api_key": {"header": "X-Key"}}}, "credentials.api_key"),
    ],
)
def test_credentials_problems_name_their_key(kind: str, change: dict[str, Any], key: str) -> None:
    _, options = truth.demo_options(kind, "http://127.0.0.1:9")
    oauth2 = {"token_url": "https://idp.example.se/token", "client_id": "c", "client_secret": "s"}
    if change.get("credentials") == "oauth2":
        change = {**change, "credentials": {"oauth2": oauth2}}
    options = {k: v for k, v in {**options, **change}.items() if v is not None}
    factory = LynxAdapter if kind == "lynx" else SensorThingsAdapter
    with pytest.raises(ConfigError) as caught:
        factory.validate_config(options)
    assert caught.value.key.startswith(key), caught.value
