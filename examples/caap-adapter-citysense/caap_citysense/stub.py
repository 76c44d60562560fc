"""A stand-in CitySense server for tests: serves given stations over loopback HTTP.

::

    with StubServer(STATIONS, token="t0k3n") as server:
        server.url   # http://127.0.0.1:PORT
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web


class StubServer:
    """CitySense's station API over given data, in a background thread."""

    def __init__(self, stations: Sequence[dict[str, Any]], *, token: str) -> None:
        self.stations = list(stations)
        self.token = token
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the CitySense stub did not start")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        app = web.Application()
        app.router.add_get("/api/v1/stations", self._stations)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    async def _stations(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Token {self.token}":
            return web.json_response({"error": "bad token"}, status=401)
        if request.query.get("kind") != "weather":
            return web.json_response({"stations": [], "next_page": None})
        page = int(request.query.get("page", "1"))
        size = int(request.query.get("per_page", "50"))
        chunk = self.stations[(page - 1) * size : page * size]
        more = page * size < len(self.stations)
        return web.json_response({"stations": chunk, "next_page": page + 1 if more else None})
