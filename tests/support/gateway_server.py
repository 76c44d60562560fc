"""Run the real gateway app under uvicorn in a background thread, on an ephemeral port."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from gateway.clock import Clocks
from gateway.http.app import create_app
from gateway.process.settings import Settings
from tests.support.uvicorn_thread import UvicornThread


class GatewayServer:
    """``with GatewayServer(config_path) as gw: gw.url`` -> ``http://127.0.0.1:PORT``."""

    def __init__(
        self,
        config_path: str,
        startup_timeout_s: float = 20.0,
        clocks: Clocks | None = None,
        **settings: Any,
    ) -> None:
        """``settings`` override fields of ``Settings`` (e.g. ``status_refresh_s=1.0``);
        ``clocks`` drive cache lifetimes and breakers (``Clocks.single(ManualClock())``)."""
        self.settings = Settings(config_path=config_path, **settings)
        self.app = create_app(self.settings, clocks=clocks)
        self._thread = UvicornThread(self.app, "gateway", startup_timeout_s)
        self.port = self._thread.port
        self.url = self._thread.url

    def __enter__(self) -> GatewayServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._thread.stop()
