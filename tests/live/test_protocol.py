"""graphql-transport-ws and graphql-sse as the gateway speaks them, byte by byte: the
connection-init timeout (4408), ping/pong, refused tokens, queries kept off this path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.live.conftest import LiveWorld
from tests.support.gateway_server import GatewayServer

PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
def gateway(live_world: LiveWorld) -> Iterator[GatewayServer]:
    with GatewayServer(str(live_world.federation), live_init_timeout_s=0.5) as server:
        yield server


def _socket(gateway: GatewayServer, **headers: str) -> ClientConnection:
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    return connect(url, subprotocols=[PROTOCOL], additional_headers=headers, open_timeout=10)  # type: ignore[list-item]


def _receive(ws: ClientConnection) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return answer


def first_answer(gateway: GatewayServer, query: str) -> dict[str, Any]:
    """Subscribe to ``query`` over a new socket; the first message answering it."""
    with _socket(gateway) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        _receive(ws)
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        return _receive(ws)


def test_a_socket_that_never_sends_connection_init_is_closed_with_4408(
    gateway: GatewayServer,
) -> None:
    with _socket(gateway) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


def test_ping_is_answered_with_pong(gateway: GatewayServer) -> None:
    with _socket(gateway) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert _receive(ws) == {"type": "connection_ack"}
        ws.send(json.dumps({"type": "ping"}))
        assert _receive(ws) == {"type": "pong"}


def test_a_bad_token_closes_the_socket_with_4403(gateway: GatewayServer) -> None:
    with _socket(gateway) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer x"}}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_queries_are_not_served_over_the_socket(gateway: GatewayServer) -> None:
    with _socket(gateway) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        _receive(ws)
        ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ cities { id } }"}})
        )
        answer = _receive(ws)
    assert answer["type"] == "error"
    assert answer["id"] == "1"
    assert "subscription" in answer["payload"][0]["message"].lower()


def test_bad_arguments_get_a_clear_error_naming_them(gateway: GatewayServer) -> None:
    query = (
        'subscription { entityChanges(type: "WeatherObserved", cities: ["atlantis"]) '
        "{ __typename } }"
    )
    answer = first_answer(gateway, query)
    assert answer["type"] == "error"
    (error,) = answer["payload"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "atlantis" in error["message"]


def test_an_event_stream_with_a_bad_token_is_refused_with_401(gateway: GatewayServer) -> None:
    query = 'subscription { entityChanges(type: "WeatherObserved") { __typename } }'
    answer = httpx.post(
        f"{gateway.url}/graphql",
        json={"query": query},
        headers={"Accept": "text/event-stream", "Authorization": "Bearer not-a-token"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert "token" in answer.text


def test_a_subscription_document_is_held_to_the_query_limits(gateway: GatewayServer) -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(40))
    query = f'subscription {{ entityChanges(type: "WeatherObserved") {{ {aliases} }} }}'
    answer = first_answer(gateway, query)
    assert answer["type"] == "error"
    assert answer["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "alias" in answer["payload"][0]["message"]


def test_city_types_is_refused_in_subscription_events(gateway: GatewayServer) -> None:
    query = (
        'subscription { entityChanges(type: "WeatherObserved") { ...Event } } '
        "fragment Event on EntityChangeEvent { ... on CityStreamChanged "
        "{ city { types { name } } } }"
    )
    answer = first_answer(gateway, query)
    assert answer["type"] == "error", answer
    assert "City.types" in answer["payload"][0]["message"]
