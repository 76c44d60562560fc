"""A client that goes away cancels its request, and so the upstream calls made for it.

uvicorn does not cancel a request's task when its client disconnects: it tells
the app through ``receive()``. Once the body is read, the next ``receive()``
returns only at the disconnect (or after the response), so a watcher on it can
cancel the handler. Upstream calls shared with other callers (single-flight)
continue for them.

The handler reads the body itself, bounded (``gateway/http/body.py``): the watcher
starts only once the last part of the body has been received, so a body is never
read whole here before its limit applies (finding H1 of issue 13).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

from gateway.http.body import ReceivedRequest

log = logging.getLogger("caap.http")

CLIENT_CLOSED = 499
"""The status logged for a request whose client went away (nobody reads it)."""


async def cancel_on_disconnect(
    request: Request, handler: Callable[[Request], Awaitable[Response]]
) -> Response:
    """``handler(request)``, cancelled if the client disconnects before it is done.

    The handler runs in the calling task; one watcher task cancels it on a disconnect,
    watching from the moment the handler has received the whole body (at once for a
    request without one, or one read already: ``body.ReceivedRequest``). The watcher is
    started by the event loop, so only once the handler first waits: a handler that answers
    without waiting (a response-cache hit) costs no task.
    """
    task = asyncio.current_task()
    assert task is not None
    gone = False
    served = request
    disconnect: Receive = request.receive
    body_received: asyncio.Event | None = None
    if isinstance(request, ReceivedRequest):  # read already: the server's next message
        disconnect = request.after_body
    elif _has_body(request):
        body_received = asyncio.Event()

        async def receive() -> Message:
            message = await request.receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_received.set()
            return message

        served = Request(request.scope, receive)

    async def watch() -> None:
        nonlocal gone
        if body_received is not None:
            await body_received.wait()
        await _disconnected(disconnect)
        gone = True
        task.cancel()

    watching: list[asyncio.Future[None]] = []
    starting = asyncio.get_running_loop().call_soon(
        lambda: watching.append(asyncio.ensure_future(watch()))
    )
    try:
        response = await handler(served)
    except asyncio.CancelledError:
        if not gone:
            raise
    except BaseException:
        if gone:  # the handler turned our cancellation into an error: that error goes on
            task.uncancel()
        raise
    finally:
        starting.cancel()
        for watcher in watching:
            watcher.cancel()
    if not gone:
        return response
    if task.uncancel() > 0:  # cancelled from outside as well
        raise asyncio.CancelledError
    log.info("client went away; its request and upstream calls were cancelled")
    return Response(status_code=CLIENT_CLOSED)


def _has_body(request: Request) -> bool:
    """True when the request says a body follows (a Content-Length above 0, or chunks)."""
    headers = request.headers
    if "transfer-encoding" in headers:
        return True
    return headers.get("content-length", "0").strip() not in ("", "0")


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
