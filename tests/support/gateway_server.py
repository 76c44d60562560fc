"""Run the real gateway app under uvicorn in a background thread, on an ephemeral port."""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

import uvicorn

from gateway.app import create_app
from gateway.settings import Settings


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when it listens (no polling)."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready.set()


class GatewayServer:
    """``with GatewayServer(config_path) as gw: gw.url`` -> ``http://127.0.0.1:PORT``."""

    def __init__(self, config_path: str, startup_timeout_s: float = 20.0) -> None:
        self.settings = Settings(config_path=config_path)
        self.app = create_app(self.settings)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self._server = _Server(config, self._ready)
        self._thread = threading.Thread(target=self._run, name="gateway", daemon=True)
        self._error: BaseException | None = None
        self._timeout = startup_timeout_s

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # surfaced to the test thread
            self._error = exc
        finally:
            self._ready.set()

    def __enter__(self) -> GatewayServer:
        self._thread.start()
        if not self._ready.wait(self._timeout) or self._error is not None:
            self._server.should_exit = True
            raise RuntimeError(f"gateway did not start: {self._error!r}")
        if not self._server.started:
            raise RuntimeError("gateway did not start (lifespan failed; see the log)")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()
