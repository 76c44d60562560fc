"""The abusive-request battery (issue 6): each request is refused before it runs, with a 4xx
and QUERY_TOO_COMPLEX or BAD_USER_INPUT, no ``data``, and not one upstream call.

Upstream calls are read from ``caap_upstream_requests_total`` before and after; the
upstream cache is off here, so a query that runs does call the cities (the control test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import upstream_requests
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

GRAPHQL_RESPONSE = "application/graphql-response+json"
TOO_COMPLEX = "QUERY_TOO_COMPLEX"
BAD_INPUT = "BAD_USER_INPUT"
NO_CACHE = {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0}
FAN_OUT = 'entities(type: "WeatherObserved") { nodes { id } }'


def _gateway(sim: Sim, folder: Path, **options: Any) -> GatewayServer:
    gateway = unthrottled(cache=NO_CACHE, **options)
    path = write_federation(folder / "federation.yaml", sim.urls, gateway=gateway)
    return GatewayServer(str(path))


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """Production mode and the default limits."""
    with _gateway(sim, tmp_path_factory.mktemp("prod")) as server:
        yield server


@pytest.fixture(scope="module")
def dev(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """Development mode (introspection for everyone), batches of up to 5 operations."""
    folder = tmp_path_factory.mktemp("dev")
    with _gateway(sim, folder, mode="development", limits={"batch": 5}) as server:
        yield server


def send(gw: GatewayServer, **request: Any) -> httpx.Response:
    headers = {"Accept": GRAPHQL_RESPONSE, **request.pop("headers", {})}
    return httpx.post(f"{gw.url}/graphql", headers=headers, timeout=30, **request)


def refused(
    gw: GatewayServer, codes: set[str], status: int = 400, **request: Any
) -> list[dict[str, Any]]:
    """Send an abusive request; check the refusal and that no city was asked. Its errors."""
    before = upstream_requests(gw.url)
    response = send(gw, **request)
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert "data" not in body
    assert {e["extensions"]["code"] for e in body["errors"]} <= codes, body
    assert upstream_requests(gw.url) == before
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def limits_of(errors: list[dict[str, Any]]) -> set[str]:
    return {e["extensions"].get("limit", e["extensions"]["code"]) for e in errors}


def test_control_a_fair_query_runs_calls_the_cities_and_reports_its_cost(
    gateway: GatewayServer,
) -> None:
    before = upstream_requests(gateway.url)
    response = send(gateway, json={"query": f"{{ {FAN_OUT} }}"})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["extensions"]["cost"] == {"estimated": 18 * 50 + 1 + 100, "limit": 5000}
    assert upstream_requests(gateway.url) >= before + 18


def test_the_largest_page_across_all_cities_is_allowed(gateway: GatewayServer) -> None:
    query = '{ entities(type: "WeatherObserved", first: 1000) { nodes { id city { id } } } }'
    response = send(gateway, json={"query": query})
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_hundreds_of_aliases_of_a_fan_out(gateway: GatewayServer) -> None:
    query = (
        "{ "
        + " ".join(f'a{i}: entities(type: "Beach") {{ totalCount }}' for i in range(150))
        + " }"
    )
    errors = refused(gateway, {TOO_COMPLEX}, json={"query": query})
    assert limits_of(errors) == {"aliases", "root_fields"}


def test_hundreds_of_aliases(gateway: GatewayServer) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(300))
    query = f'{{ entities(type: "WeatherObserved") {{ nodes {{ {aliases} }} }} }}'
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"aliases"}


def test_deep_introspection(dev: GatewayServer) -> None:
    chain = "ofType { " * 30 + "name" + " }" * 30
    query = f'{{ {FAN_OUT} __type(name: "Entity") {{ fields {{ type {{ {chain} }} }} }} }}'
    assert limits_of(refused(dev, {TOO_COMPLEX}, json={"query": query})) == {"introspection_depth"}


def test_introspection_cycles_through_lists(dev: GatewayServer) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert limits_of(refused(dev, {TOO_COMPLEX}, json={"query": query})) == {"introspection_depth"}


def test_introspection_is_off_for_anonymous_callers_in_production(
    gateway: GatewayServer, dev: GatewayServer
) -> None:
    query = f"{{ {FAN_OUT} __schema {{ queryType {{ name }} }} }}"
    errors = refused(gateway, {"UNAUTHENTICATED"}, json={"query": query})
    assert "introspection is off" in errors[0]["message"]
    assert send(dev, json={"query": "{ __schema { queryType { name } } }"}).status_code == 200


def test_field_suggestions_are_off_for_anonymous_callers_in_production(
    gateway: GatewayServer, dev: GatewayServer
) -> None:
    query = '{ entitie(type: "WeatherObserved") { nodes { id } } }'
    hidden = send(gateway, json={"query": query}).json()["errors"][0]["message"]
    shown = send(dev, json={"query": query}).json()["errors"][0]["message"]
    assert "Did you mean" not in hidden
    assert "Did you mean" in shown


def test_thousands_of_duplicate_fields(gateway: GatewayServer) -> None:
    query = '{ entities(type: "WeatherObserved") { nodes { ' + "id " * 3000 + "} } }"
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"tokens"}


def test_duplicate_fields_multiplied_by_fragments(gateway: GatewayServer) -> None:
    fragment = "fragment F on Entity { " + "id " * 50 + "}"
    query = f'{{ entities(type: "WeatherObserved") {{ nodes {{ {"...F " * 30}}} }} }} {fragment}'
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"fields"}


def test_a_huge_first(gateway: GatewayServer) -> None:
    query = '{ entities(type: "WeatherObserved", first: 100000000) { nodes { id } } }'
    errors = refused(gateway, {BAD_INPUT}, json={"query": query})
    assert "first: 100000000 is outside 0..1000" in errors[0]["message"]


def test_a_huge_first_beside_a_fair_root_field(gateway: GatewayServer) -> None:
    query = """query($n: Int) {
      fair: entities(type: "WeatherObserved", first: 5) { nodes { id } }
      huge: entities(type: "AirQualityObserved", first: $n) { nodes { id } }
    }"""
    refused(gateway, {BAD_INPUT}, json={"query": query, "variables": {"n": 10**7}})


def test_directive_overload(gateway: GatewayServer) -> None:
    query = (
        '{ entities(type: "Beach") @include(if: true) '
        + "@skip(if: false) " * 60
        + ("{ nodes { id } } }")
    )
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"directives"}


def test_a_fragment_cycle(gateway: GatewayServer) -> None:
    query = f"""query {{ ...A }}
      fragment A on Query {{ {FAN_OUT} ...B }}
      fragment B on Query {{ ...C }}
      fragment C on Query {{ ...A }}"""
    errors = refused(gateway, {BAD_INPUT}, json={"query": query})
    assert errors[0]["message"] == "fragment cycle: A -> B -> C -> A"


def test_a_batch_of_hundreds_of_operations(gateway: GatewayServer) -> None:
    batch = [{"query": f"{{ {FAN_OUT} }}"} for _ in range(300)]
    errors = refused(gateway, {BAD_INPUT}, json=batch)
    assert errors[0]["message"] == "batching is off: send one operation per request"


def test_a_batch_over_the_configured_size(dev: GatewayServer) -> None:
    batch = [{"query": f"{{ {FAN_OUT} }}"} for _ in range(6)]
    errors = refused(dev, {BAD_INPUT}, json=batch)
    assert errors[0]["message"] == "a batch holds 1 to 5 operations, not 6"


def test_a_batch_within_the_configured_size_runs(dev: GatewayServer) -> None:
    batch = [{"query": "{ cities { id } }"}, {"query": "{ nope }"}]
    response = send(dev, json=batch)
    assert response.status_code == 200
    first, second = response.json()
    assert len(first["data"]["cities"]) == 18
    assert "data" not in second


def test_a_multi_megabyte_body(gateway: GatewayServer) -> None:
    padding = "#" + "x" * 3_000_000 + "\n"
    errors = refused(
        gateway, {BAD_INPUT}, status=413, json={"query": padding + "{ cities { id } }"}
    )
    assert errors[0]["message"] == "request body larger than 1048576 bytes"


def test_a_multi_megabyte_body_without_a_length(gateway: GatewayServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "#'
        for _ in range(300):
            yield b"x" * 10_000
        yield b'\\n{ cities { id } }"}'

    refused(
        gateway,
        {BAD_INPUT},
        status=413,
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )


def test_an_expensive_multi_root_query(gateway: GatewayServer) -> None:
    roots = " ".join(
        f'r{i}: entities(type: "WeatherObserved", first: 1000) {{ nodes {{ id }} }}'
        for i in range(4)
    )
    errors = refused(gateway, {TOO_COMPLEX}, json={"query": f"{{ {roots} }}"})
    assert errors[0]["message"] == "the query costs 7604, more than the limit of 5000"
    assert errors[0]["extensions"]["limit"] == "cost"


def test_too_many_root_fields(gateway: GatewayServer) -> None:
    query = "{ " + FAN_OUT + " " + "cities { id } " * 25 + "}"
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"root_fields"}


def test_too_deep(gateway: GatewayServer) -> None:
    query = "{ " + FAN_OUT + " " + "a: cities { " * 12 + "id" + " }" * 12 + " }"
    assert "depth" in limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query}))


def test_too_long(gateway: GatewayServer) -> None:
    query = "{ " + FAN_OUT + " }" + " " * 20_000
    assert limits_of(refused(gateway, {TOO_COMPLEX}, json={"query": query})) == {"characters"}


def test_refusals_are_counted_by_limit(gateway: GatewayServer) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }"
    send(gateway, json={"query": query})
    text = httpx.get(f"{gateway.url}/metrics").text
    assert 'caap_requests_refused_total{limit="aliases"}' in text
