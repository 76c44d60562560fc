"""A tiny HTTP server on 127.0.0.1 that answers what a test scripts: status, headers, body.

Used to replay answers recorded from real brokers (tests/adapters/real_answers/) and
to script a broker's behaviour request by request. Every request is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

Script = Callable[[web.Request], Awaitable["Reply"]]


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: a JSON body (or raw bytes), its status and headers."""

    body: Any
    status: int = 200
    headers: Mapping[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    content_type: str = "application/json"

    def response(self) -> web.Response:
        raw = self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)
        response = web.Response(body=raw, status=self.status, content_type=self.content_type)
        pairs = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        for name, value in pairs:
            response.headers.add(name, value)
        return response


@dataclass
class Recorded:
    """The running server: its base URL and the requests it got."""

    url: str
    requests: list[web.Request] = field(default_factory=list)

    def queries(self) -> list[dict[str, str]]:
        """Each request's query parameters."""
        return [dict(r.query) for r in self.requests]


@asynccontextmanager
async def serving(script: Script) -> AsyncIterator[Recorded]:
    """Serve ``script`` for every path on a free port; stopped when the block ends."""
    recorded = Recorded("")

    async def handle(request: web.Request) -> web.StreamResponse:
        recorded.requests.append(request)
        return (await script(request)).response()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorded.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield recorded
    finally:
        await runner.cleanup()
