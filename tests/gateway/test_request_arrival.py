"""A request arrives when the server reads its first byte, not when its task first runs
(ADR 0025's "fresh enough" counts from there; ADR 0027)."""

from __future__ import annotations

import socket
import time
from typing import Any

from starlette.types import Receive, Scope, Send

from gateway.http.request_id import ARRIVED, RequestIdMiddleware
from gateway.http.slow_clients import HeaderTimeoutProtocol
from gateway.query import arrival
from tests.support.uvicorn_thread import UvicornThread

REQUEST = b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_requests_read_together_arrive_before_the_first_of_them_runs() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(
            {
                "scope": scope.get(ARRIVED),
                "arrived": arrival.arrived(lambda: -1.0),
                "ran": time.monotonic(),
            }
        )
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    server = UvicornThread(RequestIdMiddleware(app), "arrival", http=HeaderTimeoutProtocol)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as conn:
            conn.sendall(REQUEST * 2)  # pipelined: both read before the first one runs
            conn.settimeout(10)
            received = b""
            while received.count(b"HTTP/1.1 204") < 2:
                received += conn.recv(4096)
    finally:
        server.stop()
    first, second = seen
    assert all(s["arrived"] == s["scope"] for s in seen)  # the stamp is the read
    assert first["arrived"] <= second["arrived"] < first["ran"]
