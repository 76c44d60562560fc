"""Upstream credentials against simulated cities that ask for them, over loopback HTTP.

The cities run their own token endpoint (``citysim.protection``); the adapters'
clock is a manual one, so token lifetimes pass without sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from yarl import URL

from adapters.contract import AdapterContext, SourceQuery
from adapters.credentials import Credentials, parse_credentials
from adapters.errors import UpstreamAuthError, UpstreamUnavailable
from adapters.http import new_session
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.rest_json import RestJsonAdapter
from citysim.cluster import SimCluster
from citysim.protection import parse_protection
from citysim.settings import SimSettings
from tests.adapters.test_rest_json_config import demo_section
from tests.support.manual_clock import ManualClock
from tests.support.redis_server import free_port

SECRET = "sw0rdfish-client-secret-7f3a"
KEY = "k3y-of-helsingborg-19c2"
WEATHER = SourceQuery("WeatherObserved", limit=100)
LOG = logging.getLogger("test.credentials")
OAUTH2_CITY = {"mode": "oauth2", "client_id": "caap", "client_secret": SECRET}


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(seed=5, cities=("malmo", "lund", "helsingborg"), clock=lambda: 1.8e9)
    async with SimCluster(settings) as running:
        yield running


def protect(cluster: SimCluster, city: str, **body: Any) -> None:
    cluster.servers[city].gate.set(parse_protection(body))


def oauth2(cluster: SimCluster, city: str, secret: str = SECRET) -> dict[str, Any]:
    token_url = f"{cluster.urls[city]}/oauth/token"
    return {"oauth2": {"token_url": token_url, "client_id": "caap", "client_secret": secret}}


def ngsi_ld(
    cluster: SimCluster, city: str, credentials: dict[str, Any], clock: ManualClock | None = None
) -> NgsiLdAdapter:
    context = AdapterContext(city, LOG, clock=clock or ManualClock())
    return NgsiLdAdapter({"url": cluster.urls[city], "credentials": credentials}, context)


async def test_an_adapter_reads_a_protected_city_with_one_token(cluster: SimCluster) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY)
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"))
    try:
        for _ in range(3):
            result = await adapter.fetch_entities(WEATHER)
            assert len(result.entities) == 12
    finally:
        await adapter.aclose()
    gate = cluster.servers["malmo"].gate
    assert (gate.issued, gate.refused) == (1, 0)


async def test_the_token_is_kept_until_near_expiry_then_replaced(cluster: SimCluster) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY, token_ttl_s=120)
    clock = ManualClock()
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"), clock)
    gate = cluster.servers["malmo"].gate
    try:
        await adapter.fetch_entities(WEATHER)
        clock.advance(89)  # 31 s of life left: kept
        await adapter.fetch_entities(WEATHER)
        assert gate.issued == 1
        clock.advance(1)  # 30 s left: replaced before it expires
        await adapter.fetch_entities(WEATHER)
        assert gate.issued == 2
        clock.advance(60)
        await adapter.fetch_entities(WEATHER)
        assert gate.issued == 2
    finally:
        await adapter.aclose()
    assert gate.refused == 0  # never sent an expired token


async def test_concurrent_queries_wait_for_one_token_fetch(cluster: SimCluster) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY)
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"))
    try:
        results = await asyncio.gather(*(adapter.fetch_entities(WEATHER) for _ in range(20)))
    finally:
        await adapter.aclose()
    assert all(len(r.entities) == 12 for r in results)
    assert cluster.servers["malmo"].gate.issued == 1


async def test_a_revoked_token_costs_one_refetch(cluster: SimCluster) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY)
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"))
    gate = cluster.servers["malmo"].gate
    try:
        await adapter.fetch_entities(WEATHER)
        assert gate.revoke() == 1
        results = await asyncio.gather(*(adapter.fetch_entities(WEATHER) for _ in range(5)))
    finally:
        await adapter.aclose()
    assert all(len(r.entities) == 12 for r in results)
    assert gate.issued == 2  # five refusals, one new token
    assert 1 <= gate.refused <= 5


async def test_a_platform_that_refuses_fresh_tokens_too_is_an_auth_error(
    cluster: SimCluster,
) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY, token_ttl_s=1e-6)  # dead before it is used
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"))
    try:
        with pytest.raises(UpstreamAuthError) as caught:
            await adapter.fetch_entities(WEATHER)
    finally:
        await adapter.aclose()
    assert caught.value.status == 401
    assert "refused the gateway's access token" in str(caught.value)
    assert cluster.servers["malmo"].gate.issued == 2  # one retry, then no more


async def test_a_wrong_secret_is_an_auth_error_that_shows_no_secret(
    cluster: SimCluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    protect(cluster, "malmo", mode="oauth2", client_id="caap", client_secret="the-right-one")
    adapter = ngsi_ld(cluster, "malmo", oauth2(cluster, "malmo"))
    counter = cluster.servers["malmo"].requests
    try:
        with pytest.raises(UpstreamAuthError) as caught:
            await adapter.fetch_entities(WEATHER)
        asked = counter.total
        with pytest.raises(UpstreamAuthError):
            await adapter.fetch_entities(WEATHER)
    finally:
        await adapter.aclose()
    message = str(caught.value)
    assert message == (
        "the token endpoint refused the gateway's client credentials: invalid_client (HTTP 401)"
    )
    assert counter.total == asked  # the refusal is remembered: nobody asked again
    assert counter.by_type == {}  # and the platform itself was never asked
    for text in (message, caplog.text, repr(adapter.config), repr(caught.value)):
        assert SECRET not in text
    assert "invalid_client" in caplog.text


async def test_an_api_key_in_a_header_for_a_rest_json_api(cluster: SimCluster) -> None:
    protect(cluster, "helsingborg", mode="api_key", header="X-Api-Key", key=KEY)
    good, bad = ({"api_key": {"header": "X-Api-Key", "value": v}} for v in (KEY, KEY + "x"))
    adapters = [
        RestJsonAdapter(
            {**demo_section("helsingborg"), "url": cluster.urls["helsingborg"], "credentials": c},
            AdapterContext("helsingborg", LOG),
        )
        for c in (good, bad)
    ]
    try:
        result = await adapters[0].fetch_entities(WEATHER)
        with pytest.raises(UpstreamAuthError) as caught:
            await adapters[1].fetch_entities(WEATHER)
    finally:
        for adapter in adapters:
            await adapter.aclose()
    assert len(result.entities) == 12
    assert str(caught.value) == "the platform refused the gateway's API key (HTTP 401)"
    assert KEY not in repr(adapters[0].config)


async def test_an_api_key_in_the_query(cluster: SimCluster) -> None:
    protect(cluster, "lund", mode="api_key", query="apikey", key=KEY)
    adapter = ngsi_ld(cluster, "lund", {"api_key": {"query": "apikey", "value": KEY}})
    try:
        result = await adapter.fetch_entities(SourceQuery("WeatherObserved", limit=5))
    finally:
        await adapter.aclose()
    assert len(result.entities) == 5
    assert cluster.servers["lund"].gate.refused == 0


async def test_credentials_go_to_the_platform_only(cluster: SimCluster) -> None:
    for city in ("malmo", "lund"):
        protect(cluster, city, mode="api_key", header="X-Api-Key", key=KEY)
    config = parse_credentials({"api_key": {"header": "X-Api-Key", "value": KEY}})
    own = URL(cluster.urls["malmo"])
    credentials = Credentials(config, AdapterContext("malmo", LOG), [own])
    async with new_session(AdapterContext("malmo", LOG), credentials=credentials) as session:
        async with session.get(own / "ngsi-ld/v1/types") as answer:
            assert answer.status == 200
        async with session.get(URL(cluster.urls["lund"]) / "ngsi-ld/v1/types") as answer:
            assert answer.status == 401  # another origin: no key attached


async def test_an_unreachable_token_endpoint_is_unavailable(cluster: SimCluster) -> None:
    protect(cluster, "malmo", **OAUTH2_CITY)
    port = free_port()  # nobody listens there
    credentials = {
        "oauth2": {
            "token_url": f"http://127.0.0.1:{port}/token",
            "client_id": "caap",
            "client_secret": SECRET,
        }
    }
    adapter = ngsi_ld(cluster, "malmo", credentials)
    try:
        with pytest.raises(UpstreamUnavailable, match="cannot connect to the token endpoint"):
            await adapter.fetch_entities(WEATHER)
    finally:
        await adapter.aclose()
