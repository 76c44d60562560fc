"""The fault modes: down, hang, slow, error, garbage."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar, Self

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

from citysim.faults.base import Fault, Socket, check_keys, integer, number

MAX_DELAY_S = 600.0


class Down(Fault):
    """The city's listening socket is closed: connections are refused until healed."""

    mode: ClassVar[str] = "down"

    async def attach(self, socket: Socket) -> None:
        await socket.close_socket()

    async def detach(self, socket: Socket) -> None:
        await socket.open_socket()

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.transport is not None:  # accepted just before the socket closed
            request.transport.abort()
        raise web.HTTPServiceUnavailable()


class Hang(Fault):
    """Connections are accepted and requests read, but no answer comes until healed."""

    mode: ClassVar[str] = "hang"

    def __init__(self) -> None:
        self._released = asyncio.Event()

    async def detach(self, socket: Socket) -> None:
        self._released.set()

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        await self._released.wait()
        return await handler(request)


class Slow(Fault):
    """Every answer is delayed by ``delay_s`` seconds."""

    mode: ClassVar[str] = "slow"
    parameters: ClassVar[Mapping[str, str]] = {"delay_s": "seconds to wait before answering (1.0)"}

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        return cls(number(params, "delay_s", 1.0, 0.0, MAX_DELAY_S))

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "delay_s": self.delay_s}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        await asyncio.sleep(self.delay_s)
        return await handler(request)


class Error(Fault):
    """Every request is answered with HTTP ``status`` (a ProblemDetails body)."""

    mode: ClassVar[str] = "error"
    parameters: ClassVar[Mapping[str, str]] = {
        "status": "HTTP status, 400..599 (500)",
        "retry_after": "seconds for a Retry-After header (none)",
    }

    def __init__(self, status: int, retry_after: int | None) -> None:
        self.status = status
        self.retry_after = retry_after

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        status = integer(params, "status", 500, 400, 599)
        assert status is not None
        return cls(status, integer(params, "retry_after", None, 0, 86_400))

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "status": self.status, "retry_after": self.retry_after}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            title = HTTPStatus(self.status).phrase
        except ValueError:
            title = "Error"
        kind = (
            "https://uri.etsi.org/ngsi-ld/errors/InternalError"
            if self.status == 500
            else "about:blank"
        )
        body = {"type": kind, "title": title, "status": self.status, "detail": "simulated fault"}
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return web.Response(
            status=self.status,
            body=orjson.dumps(body),
            content_type="application/json",
            headers=headers,
        )


class Garbage(Fault):
    """Every request is answered 200 ``application/json`` with a body that is not JSON."""

    mode: ClassVar[str] = "garbage"
    BODY: ClassVar[bytes] = b'[{"id": "urn:ngsi-ld:WeatherObserved:\x00\xff<html><body>oops'

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        return web.Response(status=200, body=self.BODY, content_type="application/json")
