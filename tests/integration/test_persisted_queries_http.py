"""Automatic persisted queries (Apollo APQ) and the allow-list, through the real gateway."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from adapters.registry import AdapterRegistry
from gateway.federation import FederationError, load_federation
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import upstream_requests
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

QUERY = '{ entities(type: "WeatherObserved", first: 2) { nodes { id } } }'
LISTED = '{ entities(type: "AirQualityObserved", first: 2) { nodes { id } } }'


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = write_federation(
        tmp_path_factory.mktemp("apq") / "federation.yaml", sim.urls, gateway=unthrottled()
    )
    with GatewayServer(str(path)) as server:
        yield server


@pytest.fixture(scope="module")
def trusted(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """Only the documents of the allow-list run."""
    folder = tmp_path_factory.mktemp("trusted")
    (folder / "trusted-documents.json").write_bytes(orjson.dumps({sha(LISTED): LISTED}))
    options = unthrottled(
        persisted_queries={"allow_list": "trusted-documents.json", "only_allow_listed": True}
    )
    path = write_federation(folder / "federation.yaml", sim.urls, gateway=options)
    with GatewayServer(str(path)) as server:
        yield server


def send(gw: GatewayServer, **body: Any) -> httpx.Response:
    return httpx.post(f"{gw.url}/graphql", json=body, timeout=30)


def code(response: httpx.Response) -> str:
    body = response.json()
    assert "data" not in body
    return str(body["errors"][0]["extensions"]["code"])


def test_the_apq_flow(gateway: GatewayServer) -> None:
    before = upstream_requests(gateway.url)
    unknown = send(gateway, extensions=persisted(QUERY))
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert upstream_requests(gateway.url) == before

    registered = send(gateway, query=QUERY, extensions=persisted(QUERY))
    assert registered.status_code == 200
    by_hash = send(gateway, extensions=persisted(QUERY))
    assert by_hash.status_code == 200
    assert by_hash.json()["data"] == registered.json()["data"]

    params = {"extensions": orjson.dumps(persisted(QUERY)).decode()}
    by_get = httpx.get(f"{gateway.url}/graphql", params=params)
    assert by_get.status_code == 200
    assert by_get.json()["data"] == registered.json()["data"]


def test_a_hash_that_is_not_the_querys_is_refused(gateway: GatewayServer) -> None:
    response = send(gateway, query=QUERY, extensions=persisted(LISTED))
    assert code(response) == "BAD_USER_INPUT"
    assert code(send(gateway, extensions=persisted(LISTED))) == "PERSISTED_QUERY_NOT_FOUND"


def test_a_document_over_the_limits_is_not_registered(gateway: GatewayServer) -> None:
    deep = "{ " + "a: cities { " * 12 + "id" + " }" * 12 + " }"
    assert code(send(gateway, query=deep, extensions=persisted(deep))) == "QUERY_TOO_COMPLEX"
    assert code(send(gateway, extensions=persisted(deep))) == "PERSISTED_QUERY_NOT_FOUND"


def test_an_allow_listed_document_runs_by_its_hash(trusted: GatewayServer) -> None:
    response = send(trusted, extensions=persisted(LISTED))
    assert response.status_code == 200
    assert len(response.json()["data"]["entities"]["nodes"]) == 2
    assert send(trusted, query=LISTED).status_code == 200


def test_nothing_else_runs_where_only_the_allow_list_may(trusted: GatewayServer) -> None:
    before = upstream_requests(trusted.url)
    assert code(send(trusted, query=QUERY)) == "QUERY_NOT_IN_ALLOW_LIST"
    assert code(send(trusted, query=QUERY, extensions=persisted(QUERY))) == (
        "QUERY_NOT_IN_ALLOW_LIST"
    )
    assert code(send(trusted, extensions=persisted(QUERY))) == "PERSISTED_QUERY_NOT_FOUND"
    assert upstream_requests(trusted.url) == before


def test_the_allow_list_file_is_checked_when_the_federation_loads(tmp_path: Path) -> None:
    (tmp_path / "trusted.json").write_bytes(orjson.dumps({"0" * 64: QUERY}))
    path = write_federation(
        tmp_path / "federation.yaml",
        {"malmo": "http://127.0.0.1:9"},
        gateway={"persisted_queries": {"allow_list": "trusted.json"}},
    )
    with pytest.raises(FederationError) as caught:
        load_federation(path, AdapterRegistry.from_entry_points())
    assert "the id is not the SHA-256 of the document" in str(caught.value)


@pytest.fixture(scope="module")
def cached(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """APQ with the response cache on (for long enough that no entry expires in a test)."""
    options = {"rate_limit": {"requests_per_s": 0}, "response_cache": {"ttl_s": 600}}
    path = write_federation(
        tmp_path_factory.mktemp("apq-cached") / "federation.yaml", sim.urls, gateway=options
    )
    with GatewayServer(str(path)) as server:
        yield server


def test_l3_a_document_answered_from_the_response_cache_is_registered_too(
    cached: GatewayServer,
) -> None:
    """Finding L3: APQ registration was skipped when the response cache answered."""
    document = '{ entities(type: "WeatherObserved", first: 3) { nodes { id } } }'
    plain = send(cached, query=document)
    assert plain.status_code == 200
    assert code(send(cached, extensions=persisted(document))) == "PERSISTED_QUERY_NOT_FOUND"
    registering = send(cached, query=document, extensions=persisted(document))  # a cache hit
    assert registering.json() == plain.json()
    by_hash = send(cached, extensions=persisted(document))
    assert by_hash.status_code == 200
    assert by_hash.json() == plain.json()
