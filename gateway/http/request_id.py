"""Request ids: ``X-Request-ID`` accepted (or generated), echoed, logged and sent upstream.

The id lives in a context variable for the length of one HTTP request, so log
records and the aiohttp hook that adds it to every request sent to a city
platform find it without being handed it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import SimpleNamespace
from typing import NamedTuple

import aiohttp
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.query import arrival

HEADER = "X-Request-ID"
ARRIVED = "caap.arrived"
"""Scope key: ``time.monotonic()`` when the server read the request's first byte
(``gateway/http/slow_clients.py``); absent, the request arrives when this middleware sees it."""
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
_current: ContextVar[str | None] = ContextVar("caap_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, or None outside of one."""
    return _current.get()


def accept_or_generate(value: str | None) -> str:
    """The caller's id when it is short and plain (no spaces, no control characters);
    otherwise a new one, so a hostile value never reaches a log or an upstream."""
    if value is not None and _ACCEPTABLE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """ASGI middleware: sets the id for the request and echoes it in the response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with identified(scope) as raw:

            async def send_with_id(message: Message) -> None:
                await send(with_id(message, raw))

            await self.app(scope, receive, send_with_id)


@contextmanager
def identified(scope: Scope) -> Iterator[bytes]:
    """Inside: the request of ``scope`` has its id (``current_request_id``, yielded as the
    header's bytes) and its arrival (``gateway.query.arrival``)."""
    identity = identify(scope)
    try:
        yield identity.raw
    finally:
        forget(identity)


class Identity(NamedTuple):
    """A request's id, as set by ``identify`` (for ``forget``)."""

    raw: bytes
    """The id as the header's bytes."""
    token: Token[str | None]
    arrived: Token[float | None]


def identify(scope: Scope) -> Identity:
    """``identified(scope)`` entered, as a plain call (no generator on the per-request path);
    ``forget`` must follow, in a ``finally``."""
    # what "fresh enough" counts from (ADR 0025)
    arrived = arrival.stamp(scope.get(ARRIVED) or time.monotonic())
    given = None
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            break
    request_id = accept_or_generate(given)
    return Identity(request_id.encode("latin-1"), _current.set(request_id), arrived)


def forget(identity: Identity) -> None:
    """End ``identify``."""
    _current.reset(identity.token)
    arrival.unstamp(identity.arrived)


def with_id(message: Message, raw: bytes) -> Message:
    """``message``, with the ``X-Request-ID`` header ``raw`` when it starts the response."""
    if message["type"] != "http.response.start":
        return message
    headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
    return {**message, "headers": [*headers, (b"x-request-id", raw)]}


def upstream_trace_config() -> aiohttp.TraceConfig:
    """An aiohttp hook that sends the current request id to the city platform."""

    async def on_start(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        request_id = _current.get()
        if request_id is not None and HEADER not in params.headers:
            params.headers[HEADER] = request_id

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_start)
    return config
