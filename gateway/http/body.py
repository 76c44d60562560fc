"""Read a request body without ever holding more than the limit of it, nor waiting longer
than its time (findings H1 and M5 of issue 13)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import Message, Receive

BODY_RECEIVED = "caap.body_received"
"""Scope key: True once the server holds the request's whole body
(``gateway/http/slow_clients.py``); reading it then waits on nothing the client does."""


class BodyTooLarge(Exception):
    """The body is larger than ``limit`` bytes (said by Content-Length, or found reading)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


class BodyTooSlow(Exception):
    """The body did not arrive within ``timeout_s`` seconds."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"the request body did not arrive within {timeout_s:g} s")
        self.timeout_s = timeout_s


class ClientWentAway(Exception):
    """The client hung up before it had sent the whole body (finding L4 of issue 13)."""


async def read_body(request: Request, limit: int, timeout_s: float = 0.0) -> bytes:
    """The body, refused as soon as it is known to exceed ``limit`` bytes (at most ``limit``
    bytes and one chunk of it are ever held), or once ``timeout_s`` (0: none) has passed.
    A body the server has received whole already is read with no timer armed."""
    if timeout_s <= 0 or request.scope.get(BODY_RECEIVED):
        return await _read(request, limit)
    try:
        async with asyncio.timeout(timeout_s):
            return await _read(request, limit)
    except TimeoutError:
        raise BodyTooSlow(timeout_s) from None


class ReceivedRequest(Request):
    """A request whose body has been read already: ``body()`` answers it at once, and
    ``receive()`` gives it again, then what the client does (its disconnect)."""

    def __init__(self, request: Request, body: bytes) -> None:
        pending = [body]
        after_body = request.receive

        async def receive() -> Message:
            if pending:
                return {"type": "http.request", "body": pending.pop(), "more_body": False}
            return await after_body()

        super().__init__(request.scope, receive)
        self._body = body  # what Starlette's own body() keeps: no stream to go through
        self.after_body: Receive = after_body
        """The server's ``receive``, whose next message is the client's disconnect."""


def replaying(request: Request, body: bytes) -> ReceivedRequest:
    """``request`` whose body, already read, is received again; then what the client does
    (its disconnect)."""
    return ReceivedRequest(request, body)


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:  # receive() itself: Starlette's stream() adds a generator per request
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientWentAway
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
