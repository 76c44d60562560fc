"""``BadUpstream``: a tiny loopback HTTP server that answers every request badly.

It stands in for a city's platform having a bad day, whatever the protocol: every
path gets the same answer, chosen by ``mode``. Error bodies echo the request's
header values and query (as a careless or hostile platform might), so a test can
check that no secret comes back in an adapter's messages.

Modes: ``status:<code>`` (a JSON error body; 429 and 503 with ``Retry-After: 7``),
``hang`` (no answer until the server stops), ``garbage`` (200 ``application/json``
that is not JSON), ``html`` (200 ``text/html``), ``scalar`` (200 JSON ``"oops"``),
``empty`` (200 ``application/json`` with no body), ``truncated`` (the connection
closes halfway through the body), ``redirect`` (302 to ``elsewhere``).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

import orjson
from aiohttp import web

RETRY_AFTER_S = 7
MODES = (
    "status:400",
    "status:401",
    "status:403",
    "status:404",
    "status:429",
    "status:500",
    "status:502",
    "status:503",
    "hang",
    "garbage",
    "html",
    "scalar",
    "empty",
    "truncated",
)


class BadUpstream:
    """``async with BadUpstream("status:500") as bad: bad.url`` -> ``http://127.0.0.1:PORT``."""

    def __init__(self, mode: str, *, elsewhere: str = "http://127.0.0.1:9/") -> None:
        if mode not in (*MODES, "redirect", "ok"):
            raise ValueError(f"unknown mode {mode!r} (modes: {', '.join(MODES)}, redirect, ok)")
        self.mode = mode
        self.elsewhere = elsewhere
        self.requests = 0
        """How many requests arrived."""
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The server's base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        mode = self.mode
        if mode == "ok":
            return web.json_response({"value": []})
        if mode.startswith("status:"):
            return _error(request, int(mode.removeprefix("status:")))
        if mode == "hang":
            await self._release.wait()
            return web.Response(status=503)
        if mode == "redirect":
            raise web.HTTPFound(self.elsewhere)
        if mode == "truncated":
            response = web.StreamResponse(headers={"Content-Length": "4096"})
            response.content_type = "application/json"
            await response.prepare(request)
            await response.write(b'{"value": [{"id": ')
            assert request.transport is not None
            request.transport.close()
            return response
        bodies = {
            "garbage": (b'{"value": [{"id": \x00\xff<html>oops', "application/json"),
            "html": (b"<html><body>Service temporarily moved</body></html>", "text/html"),
            "scalar": (b'"oops"', "application/json"),
            "empty": (b"", "application/json"),
        }
        body, content_type = bodies[mode]
        return web.Response(status=200, body=body, content_type=content_type)


def _error(request: web.Request, status: int) -> web.Response:
    echoed = " ".join([*request.headers.values(), request.query_string, request.path_qs])
    body = {
        "type": "about:blank",
        "title": "Simulated failure",
        "status": status,
        "detail": f"request was: {echoed}",
        "message": f"request was: {echoed}",
    }
    headers = {"Retry-After": str(RETRY_AFTER_S)} if status in (429, 503) else {}
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


async def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return f"http://127.0.0.1:{port}"
