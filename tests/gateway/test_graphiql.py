"""GraphiQL served by the gateway itself (gateway/http/graphiql/), with no network.

The browser test runs the gateway and Debian's Chromium inside a new network namespace
with only loopback up (``unshare --net``), types ``{ cities { id } }`` into GraphiQL, runs
it, and reads the answer from the response pane; every request the page made went to
127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.chromium import CHROMIUM
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphiql_session import QUERY
from tests.support.offline_namespace import run_offline

CITIES = ["malmo", "kalmar", "umea"]
NOWHERE = "http://127.0.0.1:9/ngsi-ld"  # discard port: no platform is needed for `cities`


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graphiql") / "federation.yaml"
    return write_federation(path, {city: NOWHERE for city in CITIES})


def test_graphiql_runs_a_query_with_the_network_namespace_offline(federation: Path) -> None:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    seen = run_offline("tests.support.graphiql_session", str(federation), timeout_s=120)

    assert seen["offline"], "the namespace must have no route out of loopback"
    assert seen["editor"] == QUERY
    answer = json.loads(seen["response"])
    assert answer["data"] == {"cities": [{"id": city} for city in CITIES]}
    assert "errors" not in answer
    assert seen["failed"] == []
    hosts = {urlsplit(url).hostname for url in seen["requests"] if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, seen["requests"]
    paths = {urlsplit(url).path for url in seen["requests"]}
    assert "/graphiql/assets/graphiql.min.js" in paths
    assert "/graphql" in paths


def test_the_page_and_its_assets_come_from_the_gateway(federation: Path) -> None:
    with GatewayServer(str(federation)) as gateway, httpx.Client(base_url=gateway.url) as http:
        page = http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql/assets/graphiql.min.js" in page.text
        assert "unpkg.com" not in page.text
        assert "cdn" not in page.text.lower()
        script = http.get("/graphiql/assets/graphiql.min.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith(
            ("text/javascript", "application/javascript")
        )
        style = http.get("/graphiql/assets/graphiql.min.css")
        assert style.headers["content-type"].startswith("text/css")
        unknown = http.get("/graphiql/assets/package.json")
        assert unknown.status_code == 404
        assert unknown.text == "no GraphiQL asset named 'package.json'"
        escape = http.get("/graphiql/assets/..%2Fassets.py")
        assert escape.status_code == 404
