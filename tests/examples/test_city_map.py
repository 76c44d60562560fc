"""The city-map example (examples/city-map/) in real Chromium, with no network.

The page is loaded unchanged from the gateway (``/examples/city-map/``) for an NGSI-LD,
a SensorThings, a Lynx and a REST/JSON city of the demo federation, inside a network
namespace with only loopback up (``unshare --net``, as the GraphiQL test does). Each
visit must show entities on the map and in the list, nearest first, from that city's
platform kind; every request the page made went to 127.0.0.1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.chromium import CHROMIUM
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.offline_namespace import run_offline

KINDS = {
    "stockholm": "ngsi-ld",
    "uppsala": "sensorthings",
    "eskilstuna": "lynx",
    "helsingborg": "rest-json",
}
SCREENSHOT = os.environ.get("CAAP_EXAMPLE_SCREENSHOT")
"""Where `make example-screenshot` wants the picture of the first visit (none in `make test`)."""


@pytest.fixture(scope="module")
def seen() -> dict[str, Any]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    args = [str(Path(SCREENSHOT).resolve())] if SCREENSHOT else []
    return run_offline("tests.support.city_map_session", *args)


def test_the_namespace_was_offline_and_every_request_stayed_on_loopback(
    seen: dict[str, Any],
) -> None:
    assert seen["offline"], "the namespace must have no route out of loopback"
    assert seen["failed"] == []
    hosts = {urlsplit(url).hostname for url in seen["requests"]}
    assert hosts == {"127.0.0.1"}, seen["requests"]
    paths = {urlsplit(url).path for url in seen["requests"]}
    assert paths == {
        "/examples/city-map/",
        "/examples/city-map/city-map.js",
        "/examples/city-map/city-map.css",
        "/graphql",
    }


@pytest.mark.parametrize("city", sorted(KINDS))
def test_the_unchanged_page_shows_each_platform_kinds_data_nearest_first(
    seen: dict[str, Any], city: str
) -> None:
    visit = seen["visits"][city]
    assert visit["state"] == "ready", visit["status"]
    assert visit["kind"] == KINDS[city]
    items = visit["items"]
    assert items
    assert visit["points"] == len(items)
    distances = [item["distance"] for item in items]
    assert distances == sorted(distances)
    assert all(f"{city}" in item["id"] for item in items)


def test_the_list_shows_the_asked_attribute(seen: dict[str, Any]) -> None:
    items = seen["visits"]["uppsala"]["items"]
    assert all(item["value"].startswith("pm25 ") for item in items)
    assert any(item["value"] != "pm25 \u2013" for item in items)


def test_only_the_example_files_are_served(tmp_path: Path) -> None:
    federation = write_federation(tmp_path / "federation.yaml", {"malmo": "http://127.0.0.1:9/x"})
    with GatewayServer(str(federation)) as gateway, httpx.Client(base_url=gateway.url) as http:
        page = http.get("/examples/city-map/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        module = http.get("/examples/city-map/city-map.js")
        assert module.headers["content-type"].startswith("text/javascript")
        assert "orderBy: { by: DISTANCE }" in module.text
        assert http.get("/examples/city-map/README.md").status_code == 404
        assert http.get("/examples/city-map/..%2F..%2Fpyproject.toml").status_code == 404
