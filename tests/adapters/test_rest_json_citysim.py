"""The rest-json adapter against the simulated open-data APIs, over real loopback HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web

from adapters.contract import AdapterContext, BBox, Comparison, Condition, SourceQuery
from adapters.errors import UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.rest_json import RestJsonAdapter
from adapters.rest_json.adapter import where_text
from adapters.sdk.conditions import all_hold
from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.adapters.test_rest_json_config import demo_section

NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC).timestamp()
# The demo's four rest-json cities, one per paging style (their position in the csv).
STYLES = {"helsingborg": "page", "halmstad": "link", "goteborg": "next", "orebro": "offset"}


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(seed=11, cities=tuple(STYLES), clock=lambda: NOW)
    async with SimCluster(settings) as running:
        yield running


def adapter(cluster: SimCluster, city: str, **changes: Any) -> RestJsonAdapter:
    section = {**demo_section(city), "url": cluster.urls[city], **changes}
    return RestJsonAdapter(section, AdapterContext(city, logging.getLogger("test")))


@pytest.mark.parametrize("city", sorted(STYLES))
async def test_every_paging_style_yields_every_entity_once(cluster: SimCluster, city: str) -> None:
    api = adapter(cluster, city, page_size=5, paging=demo_section(city)["paging"])
    assert api.config.paging.style == STYLES[city]
    try:
        result = await api.fetch_entities(SourceQuery("WeatherObserved", limit=100))
    finally:
        await api.aclose()
    assert [e.id for e in result.entities] == [
        f"urn:ngsi-ld:WeatherObserved:{city}-{i:04d}" for i in range(12)
    ]
    assert result.truncated is False


@pytest.mark.parametrize("city", sorted(STYLES))
async def test_limit_truncates_and_says_so(cluster: SimCluster, city: str) -> None:
    api = adapter(cluster, city, page_size=5)
    try:
        result = await api.fetch_entities(SourceQuery("AirQualityObserved", limit=7))
    finally:
        await api.aclose()
    assert len(result.entities) == 7
    assert result.truncated is True


async def test_mapped_entities_match_the_same_city_over_ngsi_ld(cluster: SimCluster) -> None:
    context = AdapterContext("orebro", logging.getLogger("test"))
    rest = adapter(cluster, "orebro")
    ngsi = NgsiLdAdapter({"url": cluster.urls["orebro"]}, context)
    try:
        ours = await rest.fetch_entities(SourceQuery("WeatherObserved", limit=100))
        theirs = await ngsi.fetch_entities(SourceQuery("WeatherObserved", limit=100))
    finally:
        await rest.aclose()
        await ngsi.aclose()
    by_id = {e.id: e for e in theirs.entities}
    for entity in ours.entities:
        other = by_id[entity.id]
        assert entity.location == other.location
        assert entity.observed_at == other.observed_at
        for name, value in entity.attributes.items():
            assert value == pytest.approx(other.attributes[name], abs=0.051), name


async def test_time_and_bbox_are_pushed_down_and_only_widen(cluster: SimCluster) -> None:
    api = adapter(cluster, "helsingborg")
    try:
        everything = (await api.fetch_entities(SourceQuery("WeatherObserved", limit=100))).entities
        stamps = sorted(e.observed_at for e in everything if e.observed_at is not None)
        cut = stamps[5] + timedelta(microseconds=1)
        late = await api.fetch_entities(SourceQuery("WeatherObserved", observed_after=cut))
        first = everything[0].location
        assert first is not None
        box = BBox(first.lat, first.lon, first.lat, first.lon)
        boxed = await api.fetch_entities(SourceQuery("WeatherObserved", within=box))
    finally:
        await api.aclose()
    kept = {e.id for e in late.entities}
    assert {e.id for e in everything if e.observed_at and e.observed_at >= cut} <= kept
    assert len(kept) < len(everything)
    assert everything[0].id in {e.id for e in boxed.entities}
    assert len(boxed.entities) < len(everything)
    assert {"time", "within", "attrs"} <= api.capabilities.filters


async def test_geojson_features_map_like_json_items(cluster: SimCluster) -> None:
    plain, geo = (
        adapter(cluster, "goteborg"),
        adapter(cluster, "goteborg", accept="application/geo+json"),
    )
    try:
        a = await plain.fetch_entities(SourceQuery("AirQualityObserved", limit=100))
        b = await geo.fetch_entities(SourceQuery("AirQualityObserved", limit=100))
    finally:
        await plain.aclose()
        await geo.aclose()
    assert a.entities == b.entities
    assert len(a.entities) == 12


async def test_attrs_limit_the_attributes(cluster: SimCluster) -> None:
    api = adapter(cluster, "halmstad")
    try:
        result = await api.fetch_entities(SourceQuery("WeatherObserved", attrs=("temperature",)))
    finally:
        await api.aclose()
    assert {tuple(e.attributes) for e in result.entities} == {("temperature",)}


async def test_an_unmapped_type_is_unsupported(cluster: SimCluster) -> None:
    api = adapter(cluster, "halmstad")
    try:
        with pytest.raises(UnsupportedQuery, match="no mapping for type 'Parking'"):
            await api.fetch_entities(SourceQuery("Parking"))
    finally:
        await api.aclose()


@pytest.mark.parametrize(
    ("fault", "error", "fragment"),
    [
        ({"mode": "garbage"}, UpstreamProtocolError, "not valid JSON"),
        ({"mode": "error", "status": 500}, UpstreamError, "HTTP 500"),
        ({"mode": "error", "status": 503}, UpstreamError, "HTTP 503"),
    ],
)
async def test_upstream_failures_become_typed_errors(
    cluster: SimCluster, fault: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    api = adapter(cluster, "orebro")
    await cluster.set_fault("orebro", **fault)
    try:
        with pytest.raises(error, match=fragment):
            await api.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        await cluster.heal("orebro")
        await api.aclose()


class Hostile:
    """An API whose next page is on another host, or that redirects there."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.port = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/weather", self.page)
        return app

    async def page(self, request: web.Request) -> web.Response:
        elsewhere = f"http://localhost:{self.port}/api/weather?limit=1&after=x"
        if self.style == "redirect":
            raise web.HTTPFound(elsewhere)
        item = {"id": "x-0001", "temperature": 1.0}
        body: dict[str, Any] = {"data": [item], "links": {"next": elsewhere}}
        headers = {"Link": f'<{elsewhere}>; rel="next"'}
        return web.json_response(body, headers=headers)


@pytest.mark.parametrize(
    ("style", "message"),
    [("link", "another origin"), ("next", "another origin"), ("redirect", "not followed")],
)
async def test_a_next_page_on_another_host_is_refused(style: str, message: str) -> None:
    hostile = Hostile(style)
    runner = web.AppRunner(hostile.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hostile.port = runner.addresses[0][1]
    paging = {"style": "next" if style == "next" else "link", "size": "limit"}
    section = {
        "url": f"http://127.0.0.1:{hostile.port}",
        "paging": paging,
        "types": {"WeatherObserved": {"path": "/api/weather", "items": "data", "id": "id",
                                      "attributes": {"temperature": "temperature"}}},
    }  # fmt: skip
    api = RestJsonAdapter(section, AdapterContext("x", logging.getLogger("test")))
    try:
        with pytest.raises(UpstreamError, match=message):
            await api.fetch_entities(SourceQuery("WeatherObserved", limit=10))
    finally:
        await api.aclose()
        await runner.cleanup()


async def test_aclose_is_idempotent_and_final(cluster: SimCluster) -> None:
    api = adapter(cluster, "orebro")
    await api.fetch_entities(SourceQuery("Beach", limit=1))
    await api.aclose()
    await api.aclose()
    with pytest.raises(UpstreamError, match="closed"):
        await api.fetch_entities(SourceQuery("Beach", limit=1))


# --- where (ADR 0018) ----------------------------------------------------------------------


@pytest.mark.parametrize("city", sorted(STYLES))
async def test_where_is_sent_as_the_apis_filters_and_the_answer_is_the_conditions(
    cluster: SimCluster, city: str
) -> None:
    """Pushed conditions (temperature, by where_params) and one the API cannot take
    (windSpeed, computed from km/h) together: the answer is what the conditions keep, offset counted
    over it; the API itself filtered (its total is smaller than the unfiltered one)."""
    api = adapter(cluster, city, page_size=5, paging=demo_section(city)["paging"])
    try:
        everything = (await api.fetch_entities(SourceQuery("WeatherObserved", limit=100))).entities
        temperatures = sorted(e.attributes["temperature"] for e in everything)
        middle = temperatures[len(temperatures) // 2]
        where = (
            Condition("temperature", Comparison.GTE, middle),
            Condition("windSpeed", Comparison.GT, 0.5),
        )
        kept = [e.id for e in everything if all_hold(where, e.attributes)]
        assert 0 < len(kept) < len(everything)
        query = SourceQuery("WeatherObserved", limit=100, where=where)
        assert [e.id for e in (await api.fetch_entities(query)).entities] == kept
        later = replace(query, offset=2, limit=3, attrs=("windSpeed",))
        page = (await api.fetch_entities(later)).entities
        assert [e.id for e in page] == kept[2:5]
        assert all(set(e.attributes) <= {"windSpeed"} for e in page)
    finally:
        await api.aclose()
    async with httpx.AsyncClient(base_url=cluster.urls[city]) as http:
        filtered = (await http.get("/api/weather", params={"temperature__gte": middle})).json()
        unfiltered = (await http.get("/api/weather")).json()
    assert len(filtered["data"]) < len(unfiltered["data"])
    assert "where" in api.capabilities.filters


def test_values_are_sent_in_a_form_the_api_reads() -> None:
    assert where_text(1e-7) == "0.0000001"
    assert where_text(True) == "true"
    assert where_text(["good", 2]) == "good,2"
    assert where_text(["a,b", "c"]) is None
    assert where_text({"a": 1}) is None
