"""Any ASGI app under uvicorn in a background thread, on a loopback ephemeral port."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn
from starlette.types import ASGIApp


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when it listens (no polling)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready.set()


class UvicornThread:
    """The port (ephemeral by default) is bound at construction, so ``url`` is known at once;
    ``start`` serves."""

    def __init__(
        self,
        app: ASGIApp,
        name: str,
        startup_timeout_s: float = 20.0,
        port: int = 0,
        **config: Any,
    ) -> None:
        """``config``: more ``uvicorn.Config`` options (``http=`` a protocol class)."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        settings = uvicorn.Config(
            app, log_level="warning", lifespan="on", access_log=False, **config
        )
        self._server = _Server(settings, self._ready)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._error: BaseException | None = None
        self._timeout = startup_timeout_s

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # surfaced to the test thread
            self._error = exc
        finally:
            self._ready.set()

    def start(self) -> None:
        """Serve; returns once the server listens, or raises why it could not."""
        self._thread.start()
        if not self._ready.wait(self._timeout) or self._error is not None:
            self._server.should_exit = True
            raise RuntimeError(f"server did not start: {self._error!r}")
        if not self._server.started:
            raise RuntimeError("server did not start (lifespan failed; see the log)")

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()
