"""Issue 13, answers over HTTP: no long argument repeated once per city (finding L7), and
GET answers say how long a cache may keep them (Cache-Control)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.graphql.pipeline import Kind, Outcome
from gateway.http.graphql_endpoint import cache_control
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """All 18 cities."""
    folder = tmp_path_factory.mktemp("echo")
    path = write_federation(folder / "federation.yaml", sim.urls, gateway=unthrottled())
    with GatewayServer(str(path)) as server:
        yield server


@pytest.fixture(scope="module")
def caching(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """Three cities, the default response cache (2 s)."""
    folder = tmp_path_factory.mktemp("caching")
    cities = {c: sim.urls[c] for c in ("malmo", "lund", "umea")}
    with GatewayServer(str(write_federation(folder / "federation.yaml", cities))) as server:
        yield server


def _get(gw: GatewayServer, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{gw.url}/graphql", params={"query": query}, headers=headers, timeout=30)


def test_get_a_complete_anonymous_answer_may_be_cached_as_long_as_the_response_cache(
    caching: GatewayServer,
) -> None:
    """Issue 13: GET answers carried no Cache-Control."""
    response = _get(caching, "{ cities { id } }")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=2"


def test_get_an_answer_with_errors_is_not_stored(caching: GatewayServer) -> None:
    """Issue 13: GET answers carried no Cache-Control."""
    unshared = _get(caching, '{ entities(type: "Unshared") { nodes { id } } }')
    assert unshared.json()["errors"]
    assert unshared.headers["Cache-Control"] == "private, no-store"
    refused = _get(caching, "{ nothing }", Accept="application/graphql-response+json")
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "private, no-store"


def test_get_an_answer_for_a_token_is_never_stored() -> None:
    """Issue 13: a caller's own answer stays out of shared caches."""
    answer = Outcome(Kind.RESULT, b"{}", complete=True)
    assert cache_control(Principal("sub", "app"), answer, 2) == "private, no-store"
    assert cache_control(ANONYMOUS, answer, 0) == "private, no-store"
    assert cache_control(ANONYMOUS, answer, 30) == "public, max-age=30"


@pytest.mark.parametrize(
    "root",
    [
        "entities(type: $t) { nodes { id } }",
        'statistics(type: $t, attribute: "temperature") { groups { count } }',
        "access(type: $t) { allowed reason }",
    ],
)
def test_l7_the_answer_to_a_long_type_name_is_smaller_than_the_request(
    gateway: GatewayServer, root: str
) -> None:
    """Finding L7: the answer to a 13.6 KB request was 247 KB, the type name echoed per city."""
    name = "Z" * 13_500
    request = {"query": f"query($t: String!) {{ {root} }}", "variables": {"t": name}}
    response = httpx.post(f"{gateway.url}/graphql", json=request, timeout=30)
    assert response.status_code == 200
    assert len(response.content) < 1_000, len(response.content)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not an entity type name" in error["message"]


def test_l7_an_unshared_type_name_is_named_once_per_city_at_most_128_characters(
    gateway: GatewayServer,
) -> None:
    """Finding L7: a valid name that no city shares is echoed, bounded."""
    name = "Z" * 128
    query = f'{{ entities(type: "{name}") {{ nodes {{ id }} }} }}'
    response = httpx.post(f"{gateway.url}/graphql", json={"query": query}, timeout=30)
    errors = response.json()["errors"]
    assert len(errors) == 18
    assert all(len(e["message"]) <= 300 + len("stockholm: ") for e in errors)
    assert len(response.content) < 18 * 400
