"""NgsiLdAdapter over real HTTP against a tiny scripted broker, for the protocol edges.

The scripted broker here answers exactly what each test needs (odd Link headers,
expanded IRIs, foreign next links); ``test_ngsi_ld_citysim.py`` runs the adapter
against the simulated city platforms.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.contract import Adapter, AdapterContext, SourceQuery
from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.ngsi_ld import NgsiLdAdapter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECRET = "k3y-that-must-not-leak"
LOG = logging.getLogger("test.ngsi_ld")


def entity(n: int) -> dict[str, Any]:
    return {
        "id": f"urn:ngsi-ld:WeatherObserved:{n}",
        "type": "WeatherObserved",
        "temperature": n,
        "dateObserved": "2026-11-25T10:00:00Z",
        "location": {"type": "Point", "coordinates": [18.0, 59.0]},
    }


def json_response(body: object, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json", headers=headers)


@dataclass
class Broker:
    """Records every request; ``handler`` decides the answer."""

    url: str = ""
    requests: list[web.Request] = field(default_factory=list)
    handler: Handler | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        assert self.handler is not None
        return await self.handler(request)

    def serve(self, items: list[dict[str, Any]], *, links: bool = True, count: bool = True) -> None:
        """Offset paging over ``items``, with relative ``rel="next"`` links."""

        async def handler(request: web.Request) -> web.Response:
            limit = int(request.query.get("limit", "20"))
            offset = int(request.query.get("offset", "0"))
            headers = {"NGSILD-Results-Count": str(len(items))} if count else {}
            if links and offset + limit < len(items):
                nxt = request.rel_url.update_query(offset=str(offset + limit))
                headers["Link"] = f'<{nxt}>; rel="next"; type="application/json"'
            return json_response(items[offset : offset + limit], headers)

        self.handler = handler


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    fake = Broker()
    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/entities", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/"))
    yield fake
    await server.close()


Make = Callable[..., NgsiLdAdapter]


@pytest.fixture
async def make(broker: Broker) -> AsyncIterator[Make]:
    made: list[NgsiLdAdapter] = []

    def factory(timeout_s: float = 5.0, **config: Any) -> NgsiLdAdapter:
        context = AdapterContext(
            city_id="testby", logger=LOG, timeout_s=timeout_s, user_agent="caap-test/1"
        )
        adapter = NgsiLdAdapter({"url": broker.url, **config}, context)
        made.append(adapter)
        return adapter

    yield factory
    for adapter in made:
        await adapter.aclose()


def query_of(request: web.Request) -> dict[str, str]:
    return dict(request.query)


async def test_is_an_adapter_with_capabilities(make: Make) -> None:
    adapter = make()
    assert isinstance(adapter, Adapter)
    assert adapter.kind == "ngsi-ld"
    assert adapter.capabilities.filters == {"attrs", "near", "within", "time", "where"}
    assert adapter.capabilities.paging
    assert make(time_property=None).capabilities.filters == {"attrs", "near", "within", "where"}
    timed_type = make(time_property=None, types={"X": {"time_property": "t"}})
    assert "time" in timed_type.capabilities.filters


async def test_request_headers_and_parameters(broker: Broker, make: Make) -> None:
    broker.serve([entity(1)])
    adapter = make(tenant="malmo", headers={"X-Api-Key": SECRET}, page_size=50)
    await adapter.fetch_entities(SourceQuery("WeatherObserved", attrs=("temperature",), limit=10))
    (request,) = broker.requests
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Link"] == (
        '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; '
        'type="application/ld+json"'
    )
    assert request.headers["NGSILD-Tenant"] == "malmo"
    assert request.headers["User-Agent"] == "caap-test/1"
    assert request.headers["X-Api-Key"] == SECRET
    assert query_of(request) == {
        "type": "WeatherObserved",
        "attrs": "temperature,location,dateObserved",
        "limit": "10",
        "offset": "0",
        "count": "true",
        "options": "keyValues",
    }


async def test_type_settings_apply_per_query(broker: Broker, make: Make) -> None:
    broker.serve([])
    weather = "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld"
    adapter = make(
        types={
            "WeatherObserved": {"context": weather},
            "WaterConsumptionObserved": {"format": "normalized", "time_property": None},
        }
    )
    after = datetime(2026, 1, 1, tzinfo=UTC)
    for entity_type in ("WeatherObserved", "WaterConsumptionObserved", "Beach"):
        await adapter.fetch_entities(SourceQuery(entity_type, observed_after=after))
    links = [r.headers["Link"].split(">")[0].lstrip("<") for r in broker.requests]
    default = "https://smartdatamodels.org/context.jsonld"
    assert links == [weather, default, default]
    assert all(r.headers.getall("Link") == [r.headers["Link"]] for r in broker.requests)
    assert [r.query.get("options") for r in broker.requests] == ["keyValues", None, "keyValues"]
    assert ["q" in r.query for r in broker.requests] == [True, False, True]


async def test_result_is_mapped(broker: Broker, make: Make) -> None:
    broker.serve([entity(1), entity(2)])
    result = await make().fetch_entities(SourceQuery("WeatherObserved", attrs=("temperature",)))
    assert [e.attributes for e in result.entities] == [{"temperature": 1}, {"temperature": 2}]
    assert (result.total_count, result.truncated) == (2, False)


async def test_follows_next_links_until_the_limit(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(7)])
    result = await make(page_size=2).fetch_entities(SourceQuery("WeatherObserved", limit=5))
    assert [e.id for e in result.entities] == [f"urn:ngsi-ld:WeatherObserved:{n}" for n in range(5)]
    assert (result.total_count, result.truncated) == (7, True)
    pages = [(r.query["offset"], r.query["limit"]) for r in broker.requests]
    assert pages == [("0", "2"), ("2", "2"), ("4", "1")]  # the last page asks for what is left


async def test_follows_next_links_to_the_end(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(5)])
    result = await make(page_size=2).fetch_entities(
        SourceQuery("WeatherObserved", limit=100, offset=1)
    )
    assert len(result.entities) == 4
    assert (result.total_count, result.truncated) == (5, False)
    assert len(broker.requests) == 2
    assert all(r.query["type"] == "WeatherObserved" for r in broker.requests)


async def test_exact_limit_at_the_end_is_not_truncated(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(4)])
    result = await make(page_size=2).fetch_entities(SourceQuery("WeatherObserved", limit=4))
    assert (len(result.entities), result.truncated) == (4, False)


async def test_pages_by_offset_when_the_broker_sends_no_links(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(5)], links=False)
    result = await make(page_size=2).fetch_entities(SourceQuery("WeatherObserved", limit=100))
    assert len(result.entities) == 5
    assert [r.query["offset"] for r in broker.requests] == ["0", "2", "4"]


async def test_no_links_and_no_count_stops_after_one_page(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(5)], links=False, count=False)
    result = await make(page_size=2).fetch_entities(SourceQuery("WeatherObserved", limit=100))
    assert (len(result.entities), result.total_count) == (2, None)
    assert len(broker.requests) == 1


async def test_limit_zero_asks_only_for_the_count(broker: Broker, make: Make) -> None:
    broker.serve([entity(n) for n in range(3)])
    result = await make().fetch_entities(SourceQuery("WeatherObserved", limit=0))
    assert (list(result.entities), result.total_count, result.truncated) == ([], 3, True)
    assert broker.requests[0].query["limit"] == "0"


async def test_next_link_to_another_origin_is_not_followed(broker: Broker, make: Make) -> None:
    async def handler(request: web.Request) -> web.Response:
        link = '<http://198.51.100.7:9101/ngsi-ld/v1/entities?offset=1>; rel="next"'
        return json_response([entity(0)], {"Link": link})

    broker.handler = handler
    with pytest.raises(UpstreamProtocolError, match=r"another host \(198\.51\.100\.7:"):
        await make(page_size=1).fetch_entities(SourceQuery("WeatherObserved", limit=5))
    assert len(broker.requests) == 1


async def test_expanded_answer_is_compacted(broker: Broker, make: Make) -> None:
    async def handler(request: web.Request) -> web.Response:
        return json_response(
            [
                {
                    "id": "urn:x",
                    "type": "https://smartdatamodels.org/dataModel.Weather/WeatherObserved",
                    "https://smartdatamodels.org/dataModel.Weather/temperature": {
                        "type": "Property",
                        "value": 3.5,
                        "observedAt": "2026-11-25T10:00:00Z",
                    },
                    "https://uri.etsi.org/ngsi-ld/location": {
                        "type": "GeoProperty",
                        "value": {"type": "Point", "coordinates": [13.0, 55.6]},
                    },
                }
            ]
        )

    broker.handler = handler
    (got,) = (
        await make(format="normalized").fetch_entities(SourceQuery("WeatherObserved"))
    ).entities
    assert (got.type, dict(got.attributes)) == ("WeatherObserved", {"temperature": 3.5})
    assert got.location is not None
    assert (got.location.lat, got.location.lon) == (55.6, 13.0)
    assert got.observed_at is not None
    assert got.observed_at.isoformat() == "2026-11-25T10:00:00+00:00"


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error", "words"),
    [
        (200, "text/html", b"<html/>", UpstreamProtocolError, "content type 'text/html'"),
        (200, "application/json", b"{not json", UpstreamProtocolError, "not valid JSON"),
        (200, "application/json", b'{"id": "x"}', UpstreamProtocolError, "JSON array"),
        (200, "application/json", b"[1, 2]", UpstreamProtocolError, "entity #0"),
        (200, "application/ld+json", b'[{"id": "urn:x"}]', UpstreamProtocolError, "type"),
        (
            500,
            "application/json",
            b'{"title": "InternalError", "detail": "boom"}',
            UpstreamError,
            "boom",
        ),
        (
            503,
            "application/problem+json",
            b'{"title": "LdContextNotAvailable"}',
            UpstreamUnavailable,
            "503",
        ),
        (
            400,
            "application/json",
            b'{"title": "BadRequestData", "detail": "bad q"}',
            UpstreamError,
            "bad q",
        ),
        (302, "text/plain", b"", UpstreamError, "redirects are not followed"),
    ],
)
async def test_bad_answers(
    broker: Broker,
    make: Make,
    status: int,
    content_type: str,
    body: bytes,
    error: type[UpstreamError],
    words: str,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        headers = {"Location": "http://198.51.100.7/"} if status == 302 else None
        return web.Response(status=status, body=body, content_type=content_type, headers=headers)

    broker.handler = handler
    with pytest.raises(error, match=words) as info:
        await make().fetch_entities(SourceQuery("WeatherObserved"))
    assert type(info.value) is error
    if status != 200:
        assert info.value.status == status


async def test_oversized_answer_is_refused(broker: Broker) -> None:
    """The cap comes from ``AdapterContext.max_response_bytes`` (``gateway.resilience``)."""
    broker.serve([entity(n) for n in range(10)])
    context = AdapterContext(city_id="testby", logger=LOG, max_response_bytes=100)
    adapter = NgsiLdAdapter({"url": broker.url}, context)
    try:
        with pytest.raises(UpstreamProtocolError, match="larger than the adapter accepts"):
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        await adapter.aclose()


async def test_secrets_stay_out_of_errors_and_logs(
    broker: Broker, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: web.Request) -> web.Response:
        detail = f"API key {request.headers['X-Api-Key']} is not valid"
        body = orjson.dumps({"title": "Unauthorized", "detail": detail})
        return web.Response(status=401, body=body, content_type="application/json")

    broker.handler = handler
    caplog.set_level(logging.DEBUG, logger=LOG.name)
    with pytest.raises(UpstreamError) as info:
        await make(headers={"X-Api-Key": SECRET}).fetch_entities(SourceQuery("WeatherObserved"))
    assert "API key *** is not valid" in str(info.value)
    assert SECRET not in str(info.value)
    assert caplog.records
    assert all(SECRET not in r.getMessage() for r in caplog.records)


async def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = AdapterContext(city_id="x", logger=LOG)
    adapter = NgsiLdAdapter({"url": f"http://127.0.0.1:{port}"}, context)
    try:
        with pytest.raises(UpstreamUnavailable, match="cannot connect"):
            await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    finally:
        await adapter.aclose()


async def test_no_answer_in_time_is_a_timeout(broker: Broker, make: Make) -> None:
    never = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        await never.wait()
        raise AssertionError("unreachable")

    broker.handler = handler
    with pytest.raises(UpstreamTimeout):
        await make(timeout_s=0.2).fetch_entities(SourceQuery("WeatherObserved"))


async def test_dropped_connection_is_unavailable(broker: Broker, make: Make) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    broker.handler = handler
    with pytest.raises(UpstreamUnavailable):
        await make().fetch_entities(SourceQuery("WeatherObserved"))


def test_built_outside_a_loop_without_a_session() -> None:
    adapter = NgsiLdAdapter({"url": "http://127.0.0.1:1"}, AdapterContext(city_id="x", logger=LOG))
    assert adapter._client._session is None
    asyncio.run(adapter.aclose())


async def test_aclose_is_idempotent_and_final(broker: Broker, make: Make) -> None:
    broker.serve([entity(1)])
    adapter = make()
    await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    session = adapter._client._session
    assert session is not None
    await adapter.aclose()
    assert session.closed
    await adapter.aclose()
    with pytest.raises(UpstreamUnavailable, match="closed"):
        await adapter.fetch_entities(SourceQuery("WeatherObserved"))


async def test_one_session_with_bounded_connections(broker: Broker) -> None:
    broker.serve([entity(1)])
    context = AdapterContext(city_id="x", logger=LOG, max_connections=3, timeout_s=1.5)
    adapter = NgsiLdAdapter({"url": broker.url}, context)
    try:
        await asyncio.gather(
            *(adapter.fetch_entities(SourceQuery("WeatherObserved")) for _ in range(5))
        )
        session = adapter._client._session
        assert session is not None
        assert session.connector is not None
        assert session.connector.limit == 3
        assert session.timeout.total == 1.5
        await adapter.fetch_entities(SourceQuery("WeatherObserved"))
        assert adapter._client._session is session
    finally:
        await adapter.aclose()
