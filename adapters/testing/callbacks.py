"""A real ``CallbackHost`` (``adapters.streaming``) for adapter tests and the conformance
kit: an aiohttp server on 127.0.0.1 (a free port) that routes ``POST /notify/{secret}``
to the open inbox holding that secret.

A POST to an unknown or closed inbox is refused with 404; ``posts_refused`` counts
them. Each inbox holds at most ``MAX_QUEUED`` bodies (a full one answers 503).

    async with LoopbackCallbackHost() as host:
        async for entity in adapter.stream_entities(query, host): ...
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Self

from aiohttp import web

MAX_QUEUED = 1000


class LoopbackInbox:
    """One inbox: its URL and the bodies POSTed to it."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(MAX_QUEUED)

    @property
    def url(self) -> str:
        """Where the platform POSTs (holds the secret)."""
        return self._url

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield await self.queue.get()


class LoopbackCallbackHost:
    """The server and its open inboxes (by secret)."""

    def __init__(self) -> None:
        self.inboxes: dict[str, LoopbackInbox] = {}
        self.posts_refused = 0
        self._runner: web.AppRunner | None = None
        self._base = ""

    def inbox(self) -> AbstractAsyncContextManager[LoopbackInbox]:
        """A new inbox, open while the context is."""
        return self._open()

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[LoopbackInbox]:
        secret = secrets.token_urlsafe(16)
        box = LoopbackInbox(f"{self._base}/notify/{secret}")
        self.inboxes[secret] = box
        try:
            yield box
        finally:
            del self.inboxes[secret]

    async def _receive(self, request: web.Request) -> web.Response:
        box = self.inboxes.get(request.match_info["secret"])
        if box is None:
            self.posts_refused += 1
            return web.Response(status=404, text="no such inbox")
        try:
            box.queue.put_nowait(await request.read())
        except asyncio.QueueFull:
            return web.Response(status=503, text="inbox full")
        return web.Response(status=204)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/notify/{secret}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._base = f"http://127.0.0.1:{site.port}"
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
