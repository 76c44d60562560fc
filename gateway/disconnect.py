"""A client that goes away cancels its request, and so the upstream calls made for it.

uvicorn does not cancel a request's task when its client disconnects: it tells
the app through ``receive()``. Once the body is read, the next ``receive()``
returns only at the disconnect (or after the response), so a watcher on it can
cancel the handler. Upstream calls shared with other callers (single-flight)
continue for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("caap.http")

CLIENT_CLOSED = 499
"""The status logged for a request whose client went away (nobody reads it)."""


async def cancel_on_disconnect(
    request: Request, handler: Callable[[Request], Awaitable[Response]]
) -> Response:
    """``handler(request)``, cancelled if the client disconnects before it is done."""
    await request.body()  # read first: afterwards receive() only reports the disconnect
    handling = asyncio.ensure_future(handler(request))
    watching = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({handling, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watching.cancel()
        if not handling.done():
            handling.cancel()
    if handling.cancelled() or not handling.done():
        with contextlib.suppress(asyncio.CancelledError):
            await handling
        log.info("client went away; its request and upstream calls were cancelled")
        return Response(status_code=CLIENT_CLOSED)
    return handling.result()


async def _disconnected(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
