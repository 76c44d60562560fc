"""``/graphql`` served straight by its endpoint: no router, no exception layer on the hot path.

The innermost of the gateway's middleware: an HTTP request for ``/graphql`` goes to the
endpoint at once (the route table and Starlette's exception middleware add nothing for
it: the endpoint answers every error itself, and ``ServerErrorMiddleware``, outermost,
still turns anything unexpected into a plain 500); every other request, and the
WebSocket on ``/graphql``, goes on to the router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/graphql"
METHODS = frozenset({"GET", "POST"})


class GraphqlLane:
    """ASGI middleware: ``endpoint`` answers HTTP ``GET`` and ``POST /graphql``."""

    def __init__(self, app: ASGIApp, endpoint: Callable[[Request], Awaitable[Response]]) -> None:
        self.app = app
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
