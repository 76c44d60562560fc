"""The fault modes: down, hang, slow, error, garbage, 429, trickle, truncated,
wrong_content_type, huge, redirect, flapping."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar, Self

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

from citysim.faults.base import Fault, FaultError, Socket, check_keys, integer, number

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


def _problem(status: int, detail: str, headers: Mapping[str, str] | None = None) -> web.Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    return web.Response(
        status=status,
        body=orjson.dumps({**body, "detail": detail}),
        content_type="application/json",
        headers=headers,
    )


class RateLimited(Fault):
    """Every request is answered 429 Too Many Requests with ``Retry-After``."""

    mode: ClassVar[str] = "429"
    parameters: ClassVar[Mapping[str, str]] = {
        "retry_after": "seconds for the Retry-After header, 0..86400 (1)"
    }

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        retry_after = integer(params, "retry_after", 1, 0, 86_400)
        assert retry_after is not None
        return cls(retry_after)

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "retry_after": self.retry_after}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        return _problem(429, "simulated rate limit", {"Retry-After": str(self.retry_after)})


class Trickle(Fault):
    """The normal answer, its headers at once and its body ``chunk_bytes`` every ``interval_s``
    (the rest at once when healed)."""

    mode: ClassVar[str] = "trickle"
    parameters: ClassVar[Mapping[str, str]] = {
        "interval_s": "seconds between chunks (0.2)",
        "chunk_bytes": "bytes per chunk, 1..65536 (1)",
    }

    def __init__(self, interval_s: float, chunk_bytes: int) -> None:
        self.interval_s = interval_s
        self.chunk_bytes = chunk_bytes
        self._released = asyncio.Event()

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        chunk = integer(params, "chunk_bytes", 1, 1, 65_536)
        assert chunk is not None
        return cls(number(params, "interval_s", 0.2, 0.0, MAX_DELAY_S), chunk)

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "interval_s": self.interval_s, "chunk_bytes": self.chunk_bytes}

    async def detach(self, socket: Socket) -> None:
        self._released.set()

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        normal = await handler(request)
        if not isinstance(normal, web.Response) or not isinstance(normal.body, bytes):
            return normal
        body = normal.body
        stream = web.StreamResponse(status=normal.status, headers=normal.headers)
        stream.content_length = len(body)
        await stream.prepare(request)
        try:
            for start in range(0, len(body), self.chunk_bytes):
                if start and not self._released.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._released.wait(), self.interval_s)
                await stream.write(body[start : start + self.chunk_bytes])
            await stream.write_eof()
        except ConnectionResetError:  # the client gave up waiting
            raise asyncio.CancelledError from None
        return stream


class Truncated(Fault):
    """The normal headers (Content-Length of the whole body), then only the first
    ``fraction`` of the body, then the connection is closed."""

    mode: ClassVar[str] = "truncated"
    parameters: ClassVar[Mapping[str, str]] = {
        "fraction": "share of the body sent before closing, 0..1 (0.5)"
    }

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        fraction = number(params, "fraction", 0.5, 0.0, 1.0)
        if fraction >= 1.0:
            raise FaultError("fraction must be below 1 (else the body is whole)")
        return cls(fraction)

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "fraction": self.fraction}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        normal = await handler(request)
        if not isinstance(normal, web.Response) or not isinstance(normal.body, bytes):
            return normal
        body = normal.body
        stream = web.StreamResponse(status=normal.status, headers=normal.headers)
        stream.content_length = len(body)
        await stream.prepare(request)
        await stream.write(body[: int(len(body) * self.fraction)])
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError  # the connection is gone: nothing more to send


class WrongContentType(Fault):
    """Every request is answered 200 with an HTML page (a portal's error page, say)."""

    mode: ClassVar[str] = "wrong_content_type"
    parameters: ClassVar[Mapping[str, str]] = {
        "content_type": "the media type of the answer (text/html)"
    }
    BODY: ClassVar[bytes] = b"<!doctype html><title>Maintenance</title><p>Back soon.</p>"

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        content_type = params.get("content_type", "text/html")
        if not isinstance(content_type, str) or "/" not in content_type:
            raise FaultError(
                f"content_type must be a media type such as text/html, got {content_type!r}"
            )
        return cls(content_type)

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "content_type": self.content_type}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        return web.Response(status=200, body=self.BODY, content_type=self.content_type)


class Huge(Fault):
    """Every request is answered 200 with a valid JSON array of ``size_mb`` MiB, streamed
    without a Content-Length (only a cap on bytes read protects a client)."""

    mode: ClassVar[str] = "huge"
    parameters: ClassVar[Mapping[str, str]] = {"size_mb": "size of the body in MiB, 1..4096 (64)"}
    CHUNK: ClassVar[int] = 1 << 16

    def __init__(self, size_mb: int) -> None:
        self.size_mb = size_mb

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        size = integer(params, "size_mb", 64, 1, 4096)
        assert size is not None
        return cls(size)

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "size_mb": self.size_mb}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        stream = web.StreamResponse(status=200)
        stream.content_type = "application/json"
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        item = b'{"id": "urn:ngsi-ld:Thing:huge", "type": "Thing"},'
        chunk = item * (self.CHUNK // len(item))
        try:
            await stream.write(b"[")
            for _ in range(self.size_mb * (1 << 20) // len(chunk)):
                await stream.write(chunk)
            await stream.write(item[:-1] + b"]")
            await stream.write_eof()
        except ConnectionResetError:  # the client stopped reading, as it should
            raise asyncio.CancelledError from None
        return stream


class Redirect(Fault):
    """Every request is redirected (``status``) to the same path on another host ``to``."""

    mode: ClassVar[str] = "redirect"
    parameters: ClassVar[Mapping[str, str]] = {
        "status": "301, 302, 303, 307 or 308 (302)",
        "to": "origin to send clients to (http://elsewhere.invalid)",
    }
    STATUSES: ClassVar[frozenset[int]] = frozenset({301, 302, 303, 307, 308})

    def __init__(self, status: int, to: str) -> None:
        self.status = status
        self.to = to

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        status = integer(params, "status", 302, 300, 399)
        if status not in cls.STATUSES:
            raise FaultError(f"status must be one of 301, 302, 303, 307, 308, got {status!r}")
        to = params.get("to", "http://elsewhere.invalid")
        if not isinstance(to, str) or not to.startswith(("http://", "https://")):
            raise FaultError(f"to must be an http(s) origin, got {to!r}")
        return cls(status, to.rstrip("/"))

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "status": self.status, "to": self.to}

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        return web.Response(status=self.status, headers={"Location": self.to + request.path_qs})


class Flapping(Fault):
    """Up and down in turn: ``up`` requests answered, then ``down`` requests whose connection
    is dropped, and so on (``start`` says which comes first); with ``period_s``, by time
    instead: that many seconds up, then as many down."""

    mode: ClassVar[str] = "flapping"
    parameters: ClassVar[Mapping[str, str]] = {
        "up": "requests answered in a row, 1..1000 (1)",
        "down": "requests dropped in a row, 1..1000 (1)",
        "start": "up or down (down)",
        "period_s": "alternate every this many seconds instead of by count (none)",
    }

    def __init__(self, up: int, down: int, start: str, period_s: float | None) -> None:
        self.up = up
        self.down = down
        self.start = start
        self.period_s = period_s
        self._count = itertools.count()
        self._since = asyncio.get_running_loop().time()

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        check_keys(cls.mode, params, cls.parameters)
        up = integer(params, "up", 1, 1, 1000)
        down = integer(params, "down", 1, 1, 1000)
        start = params.get("start", "down")
        if start not in ("up", "down"):
            raise FaultError(f"start must be up or down, got {start!r}")
        period = (
            None if "period_s" not in params else number(params, "period_s", 1.0, 0.001, 3600.0)
        )
        assert up is not None
        assert down is not None
        return cls(up, down, start, period)

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "up": self.up,
            "down": self.down,
            "start": self.start,
            "period_s": self.period_s,
        }

    def is_up(self) -> bool:
        """Whether the next request is answered (and, by count, count it)."""
        if self.period_s is not None:
            phase = int((asyncio.get_running_loop().time() - self._since) // self.period_s) % 2
        else:
            position = next(self._count) % (self.up + self.down)
            first = self.up if self.start == "up" else self.down
            phase = 0 if position < first else 1
        return (phase == 0) == (self.start == "up")

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.is_up():
            return await handler(request)
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # dropped: no answer at all
