"""A simulated city that asks for credentials: its token endpoint, its check of every request,
the control API that switches it, and the request counts per city and entity type."""

from __future__ import annotations

import base64
import urllib.parse
from typing import Any

import aiohttp
import orjson
import pytest
from multidict import CIMultiDictProxy

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import link

OAUTH2 = {
    "mode": "oauth2",
    "client_id": "caap gw",
    "client_secret": "s3cret:+/=",
    "token_ttl_s": 60,
}
WEATHER = "/ngsi-ld/v1/entities?type=WeatherObserved&limit=2"


async def control(
    session: aiohttp.ClientSession, cluster: SimCluster, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    data = None if body is None else orjson.dumps(body)
    async with session.request(method, cluster.control_url + path, data=data) as response:
        return response.status, orjson.loads(await response.read())


async def get(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
) -> tuple[int, CIMultiDictProxy[str], Any]:
    async with session.get(url, headers={**link(), **(headers or {})}) as response:
        return response.status, response.headers, orjson.loads(await response.read())


async def token(
    session: aiohttp.ClientSession,
    base: str,
    form: dict[str, str],
    basic: tuple[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {}
    if basic is not None:
        pair = ":".join(_form_encode(part) for part in basic)
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    async with session.post(base + "/oauth/token", data=form, headers=headers) as response:
        return response.status, orjson.loads(await response.read())


def _form_encode(text: str) -> str:
    return urllib.parse.quote_plus(text)


async def test_an_open_city_issues_no_tokens(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    status, _ = await token(session, cluster.urls["malmo"], {"grant_type": "client_credentials"})
    assert status == 404


async def test_oauth2_tokens_by_basic_or_form_unlock_requests_until_revoked(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    base = cluster.urls["malmo"]
    status, shown = await control(session, cluster, "PUT", "/cities/malmo/protection", OAUTH2)
    assert status == 200
    assert shown["protection"]["mode"] == "oauth2"
    assert "s3cret" not in orjson.dumps(shown).decode()

    status, headers, problem = await get(session, base + WEATHER)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert problem["title"] == "Unauthorized"

    grant = {"grant_type": "client_credentials"}
    status, by_basic = await token(session, base, grant, basic=("caap gw", "s3cret:+/="))
    assert status == 200
    assert (by_basic["token_type"], by_basic["expires_in"]) == ("Bearer", 60)
    form = {**grant, "client_id": "caap gw", "client_secret": "s3cret:+/="}
    status, by_form = await token(session, base, form)
    assert status == 200

    for issued in (by_basic, by_form):
        bearer = {"Authorization": f"Bearer {issued['access_token']}"}
        status, _, entities = await get(session, base + WEATHER, bearer)
        assert (status, len(entities)) == (200, 2)

    status, revoked = await control(session, cluster, "POST", "/cities/malmo/protection/revoke")
    assert (status, revoked["revoked"]) == (200, 2)
    bearer = {"Authorization": f"Bearer {by_basic['access_token']}"}
    status, _, _ = await get(session, base + WEATHER, bearer)
    assert status == 401
    city = revoked["city"]["protection"]
    assert (city["tokens_issued"], city["tokens_alive"], city["refused"]) == (2, 0, 1)

    await control(session, cluster, "DELETE", "/cities/malmo/protection")
    status, _, _ = await get(session, base + WEATHER)
    assert status == 200


@pytest.mark.parametrize(
    ("form", "basic", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, ("caap gw", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, ("someone", "s3cret:+/="), 401, "invalid_client"),
        ({"grant_type": "password"}, ("caap gw", "s3cret:+/="), 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, None, 400, "invalid_request"),
    ],
)
async def test_the_token_endpoint_refuses_as_rfc_6749_says(
    session: aiohttp.ClientSession,
    cluster: SimCluster,
    form: dict[str, str],
    basic: tuple[str, str] | None,
    status: int,
    error: str,
) -> None:
    await control(session, cluster, "PUT", "/cities/lund/protection", OAUTH2)
    answer = await token(session, cluster.urls["lund"], form, basic)
    assert answer == (status, {"error": error})


@pytest.mark.parametrize(
    ("protection", "good", "bad"),
    [
        (
            {"mode": "api_key", "header": "X-Api-Key", "key": "k-123"},
            ({"X-Api-Key": "k-123"}, ""),
            ({"X-Api-Key": "k-124"}, ""),
        ),
        (
            {"mode": "api_key", "query": "apikey", "key": "k-123"},
            ({}, "&apikey=k-123"),
            ({}, "&apikey=k-12"),
        ),
    ],
)
async def test_an_api_key_in_a_header_or_the_query(
    session: aiohttp.ClientSession,
    cluster: SimCluster,
    protection: dict[str, str],
    good: tuple[dict[str, str], str],
    bad: tuple[dict[str, str], str],
) -> None:
    base = cluster.urls["lund"]
    status, shown = await control(session, cluster, "PUT", "/cities/lund/protection", protection)
    assert status == 200
    assert "k-123" not in orjson.dumps(shown).decode()
    assert (await get(session, base + WEATHER + good[1], good[0]))[0] == 200
    assert (await get(session, base + WEATHER + bad[1], bad[0]))[0] == 401
    assert (await get(session, base + WEATHER))[0] == 401


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"mode": "magic"}, "mode"),
        ({"mode": "oauth2", "client_id": "a"}, "client_secret"),
        ({"mode": "oauth2", "client_id": "a", "client_secret": "b", "token_ttl_s": 0}, "ttl"),
        ({"mode": "api_key", "key": "k"}, "exactly one of header and query"),
        ({"mode": "api_key", "header": "X", "query": "q", "key": "k"}, "exactly one"),
        ({"mode": "api_key", "header": "X", "key": "k", "colour": 1}, "colour"),
    ],
)
async def test_a_bad_protection_is_a_400_that_says_why(
    session: aiohttp.ClientSession, cluster: SimCluster, body: dict[str, Any], fragment: str
) -> None:
    status, answer = await control(session, cluster, "PUT", "/cities/malmo/protection", body)
    assert status == 400
    assert fragment in answer["error"]


async def test_requests_are_counted_per_city_and_entity_type(
    session: aiohttp.ClientSession, cluster: SimCluster
) -> None:
    base = cluster.urls["malmo"]
    await control(session, cluster, "DELETE", "/requests")
    await get(session, base + WEATHER)
    await get(session, base + "/ngsi-ld/v1/entities?type=WeatherObserved,Device")
    await get(session, base + "/ngsi-ld/v1/entities/urn:ngsi-ld:Beach:malmo-0001")
    await get(session, base + "/ngsi-ld/v1/temporal/entities?type=WaterQualityObserved")
    await get(session, base + "/api/weather")
    await get(session, base + "/ngsi-ld/v1/types")
    await cluster.set_fault("malmo", "error", status=500)
    await get(session, base + WEATHER)  # a failing request reached the city too
    status, malmo = await control(session, cluster, "GET", "/cities/malmo")
    assert malmo["requests"] == {
        "total": 7,
        "by_type": {
            "Beach": 1,
            "Device": 1,
            "WaterQualityObserved": 1,
            "WeatherObserved": 4,
        },
    }
    status, lund = await control(session, cluster, "GET", "/cities/lund")
    assert lund["requests"] == {"total": 0, "by_type": {}}
    status, reset = await control(session, cluster, "DELETE", "/cities/malmo/requests")
    assert status == 200
    assert reset["requests"] == {"total": 0, "by_type": {}}


async def test_a_setting_protects_a_city_from_the_start(session: aiohttp.ClientSession) -> None:
    settings = SimSettings(cities=("malmo", "lund"), protection={"lund": OAUTH2})
    async with SimCluster(settings) as cluster:
        assert (await get(session, cluster.urls["malmo"] + WEATHER))[0] == 200
        assert (await get(session, cluster.urls["lund"] + WEATHER))[0] == 401
    with pytest.raises(ValueError, match="protection of lund"):
        SimSettings(protection={"lund": {"mode": "oauth2"}})
