"""The simulated REST/JSON open-data API over real HTTP: paging styles, filters, shapes, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from yarl import URL

from citysim.cluster import SimCluster
from citysim.rest_json.paging import style_for_city
from citysim.settings import SimSettings
from tests.citysim.sim_http import ManualClock, link

STYLED = {"stockholm": "offset", "uppsala": "page", "katrineholm": "link", "eskilstuna": "next"}


@pytest.fixture
async def styled(clock: ManualClock) -> AsyncIterator[SimCluster]:
    """One city of each paging style."""
    async with SimCluster(SimSettings(seed=7, cities=tuple(STYLED), clock=clock)) as running:
        yield running


async def fetch(
    session: aiohttp.ClientSession, url: str | URL, headers: dict[str, str] | None = None
) -> tuple[int, Any, aiohttp.ClientResponse]:
    async with session.get(url, headers=headers) as response:
        body = orjson.loads(await response.read())
        return response.status, body, response


def first_url(base: str, style: str, size: int) -> str:
    sizes = {"page": f"pageSize={size}"}
    return f"{base}/api/weather?{sizes.get(style, f'limit={size}')}"


async def walk(session: aiohttp.ClientSession, base: str, style: str, size: int) -> list[str]:
    """Every id of /api/weather, following the city's own paging style."""
    url: str | None = first_url(base, style, size)
    ids: list[str] = []
    for _ in range(50):
        assert url is not None
        status, body, response = await fetch(session, url)
        assert status == 200, body
        ids += [item["id"] for item in body["data"]]
        if style == "offset":
            meta = body["meta"]
            nxt = meta["offset"] + meta["limit"]
            url = f"{base}/api/weather?limit={size}&offset={nxt}" if nxt < meta["total"] else None
        elif style == "page":
            meta = body["meta"]
            has_more = meta["page"] < meta["pages"]
            url = (
                f"{base}/api/weather?pageSize={size}&page={meta['page'] + 1}" if has_more else None
            )
        elif style == "link":
            url = str(response.links["next"]["url"]) if "next" in response.links else None
        else:
            url = body["links"]["next"]
        if url is None:
            return ids
    raise AssertionError("paging did not end")


def test_styles_follow_the_position_in_municipalities_csv() -> None:
    assert {city: style_for_city(city) for city in STYLED} == STYLED


@pytest.mark.parametrize("city", sorted(STYLED))
async def test_each_style_pages_through_every_item_once(
    styled: SimCluster, session: aiohttp.ClientSession, city: str
) -> None:
    ids = await walk(session, styled.urls[city], STYLED[city], 5)
    assert ids == [f"{city}-{i:04d}" for i in range(12)]


async def test_next_links_are_absolute_and_on_the_same_origin(
    styled: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = styled.urls["eskilstuna"]
    _, body, _ = await fetch(session, f"{base}/api/weather?limit=5")
    assert URL(body["links"]["next"]).origin() == URL(base).origin()
    _, body, response = await fetch(session, f"{styled.urls['katrineholm']}/api/weather?limit=5")
    assert URL(str(response.links["next"]["url"])).origin() == URL(styled.urls["katrineholm"])


async def test_weather_has_its_own_names_and_units(
    styled: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = styled.urls["stockholm"]
    _, rest, _ = await fetch(session, f"{base}/api/weather?limit=1")
    async with session.get(
        f"{base}/ngsi-ld/v1/entities",
        params={"type": "WeatherObserved", "options": "keyValues", "limit": "1"},
        headers=link(),
    ) as response:
        ngsi = (await response.json())[0]
    item = rest["data"][0]
    assert item["temperature"] == ngsi["temperature"]
    assert item["humidity"] == pytest.approx(ngsi["relativeHumidity"] * 100)
    assert item["wind"]["speed"] == pytest.approx(ngsi["windSpeed"] * 3.6, abs=0.05)
    assert item["dateObserved"] == ngsi["dateObserved"]["@value"]
    assert item["location"] == ngsi["location"]


async def test_from_to_and_bbox_filter(styled: SimCluster, session: aiohttp.ClientSession) -> None:
    base = styled.urls["stockholm"]
    _, everything, _ = await fetch(session, f"{base}/api/weather?limit=100")
    stamps = sorted(i["dateObserved"] for i in everything["data"])
    middle = stamps[6]
    _, later, _ = await fetch(
        session, URL(f"{base}/api/weather").with_query(limit="100", **{"from": middle})
    )
    assert sorted(i["dateObserved"] for i in later["data"]) == stamps[6:]
    _, earlier, _ = await fetch(
        session, URL(f"{base}/api/weather").with_query(limit="100", to=middle)
    )
    assert sorted(i["dateObserved"] for i in earlier["data"]) == stamps[:6]
    lon, lat = everything["data"][0]["location"]["coordinates"]
    box = f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"
    _, boxed, _ = await fetch(session, f"{base}/api/weather?limit=100&bbox={box}")
    assert [i["id"] for i in boxed["data"]] == [everything["data"][0]["id"]]


async def test_geojson_gives_a_feature_collection(
    styled: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = styled.urls["uppsala"]
    status, body, response = await fetch(
        session, f"{base}/api/airquality?pageSize=3", {"Accept": "application/geo+json"}
    )
    assert status == 200
    assert response.content_type == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == ["uppsala-0000", "uppsala-0001", "uppsala-0002"]
    assert body["features"][0]["geometry"]["type"] == "Point"
    assert "no2" in body["features"][0]["properties"]["pollutants"]
    assert body["meta"]["total"] == 12


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/weather?offset=2", 400, "offset: unknown parameter"),  # uppsala pages by number
        ("/api/weather?pageSize=0", 400, "pageSize: 0 is outside 1..100"),
        ("/api/weather?pageSize=5&pageSize=6", 400, "pageSize: given more than once"),
        ("/api/weather?from=yesterday", 400, "from: 'yesterday' is not an ISO 8601"),
        ("/api/weather?from=2026-11-25T10:00:00", 400, "has no time zone"),
        ("/api/weather?bbox=1,2,3", 400, "bbox:"),
        ("/api/parking", 404, "no resource 'parking'"),
    ],
)
async def test_bad_requests_are_problems_naming_the_parameter(
    styled: SimCluster, session: aiohttp.ClientSession, path: str, status: int, detail: str
) -> None:
    got, body, response = await fetch(session, styled.urls["uppsala"] + path)
    assert got == status
    assert response.content_type == "application/problem+json"
    assert detail in body["detail"]


async def test_an_unoffered_media_type_is_406(
    styled: SimCluster, session: aiohttp.ClientSession
) -> None:
    status, body, _ = await fetch(
        session, styled.urls["uppsala"] + "/api/weather", {"Accept": "text/csv"}
    )
    assert status == 406
    assert "application/geo+json" in body["detail"]


async def test_the_index_lists_every_resource_and_the_paging_style(
    styled: SimCluster, session: aiohttp.ClientSession
) -> None:
    _, body, _ = await fetch(session, styled.urls["katrineholm"] + "/api")
    assert body["paging"] == "link"
    assert {r["type"] for r in body["resources"]} == {
        "WeatherObserved", "AirQualityObserved", "Beach", "WaterQualityObserved",
        "TrafficFlowObserved", "Device", "WaterConsumptionObserved", "OffStreetParking",
        "PointOfInterest",
    }  # fmt: skip
