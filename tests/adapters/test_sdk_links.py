"""Next-page links (adapters/sdk/links.py): only an http(s) URL is a next page (L6)."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from yarl import URL

from adapters.contract import AdapterContext, SourceQuery
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.sdk.links import next_link

BASE = URL("http://127.0.0.1:9108/ngsi-ld/v1/entities?limit=2")


@pytest.mark.parametrize(
    "link", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:,x", "javascript:alert(1)"]
)
def test_l6_a_next_link_that_is_not_http_is_a_protocol_error(link: str) -> None:
    """Finding L6: a ``file:///`` next link raised an unhandled ValueError in the adapter."""
    with pytest.raises(UpstreamProtocolError, match="not an http"):
        next_link([f'<{link}>; rel="next"'], BASE)


def test_relative_and_http_next_links_are_followed() -> None:
    assert next_link(['</ngsi-ld/v1/entities?offset=2>; rel="next"'], BASE) == URL(
        "http://127.0.0.1:9108/ngsi-ld/v1/entities?offset=2"
    )
    assert next_link(['<https://b.example/p2>; rel="next"'], BASE) == URL("https://b.example/p2")


async def test_l6_an_ngsi_ld_broker_linking_to_a_file_gets_an_upstream_error() -> None:
    """Finding L6, end to end: the adapter reports the broker's fault, it does not crash."""

    async def page(request: web.Request) -> web.Response:
        entity = {"id": "urn:x:1", "type": "WeatherObserved"}
        return web.json_response([entity], headers={"Link": '<file:///etc/passwd>; rel="next"'})

    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/entities", page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    adapter = NgsiLdAdapter({"url": url}, AdapterContext("x", logging.getLogger("test")))
    try:
        with pytest.raises(UpstreamProtocolError, match="not an http"):
            await adapter.fetch_entities(SourceQuery("WeatherObserved", limit=10))
    finally:
        await adapter.aclose()
        await runner.cleanup()
