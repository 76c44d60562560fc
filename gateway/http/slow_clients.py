"""Slow clients are closed: a connection that does not finish its request's headers within
``CAAP_HEADER_TIMEOUT_S`` is dropped (finding M5 of issue 13).

uvicorn bounds the idle time between requests (``timeout_keep_alive``) but not the time a
client takes to send headers: a connection trickling one header line a minute was held
for good. ``HeaderTimeoutProtocol`` is uvicorn's httptools protocol with a timer from the
connection's first moment (and from each further request's first byte) until its headers
are complete. The body's own limit is in ``gateway/http/body.py``.

The protocol also notes when each request's first byte was read (``ARRIVED`` in its scope):
the moment a request arrives, for "fresh enough" (ADR 0025), before its task first runs;
and when the server holds the request's whole body (``BODY_RECEIVED``): reading it then
cannot wait on the client, so no timer is armed for it (``gateway/http/body.py``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.http.body import BODY_RECEIVED
from gateway.http.request_id import ARRIVED
from gateway.process.settings import Settings

log = logging.getLogger("caap.http")


@functools.cache
def _header_timeout_s() -> float:
    """From the environment, read once per process: uvicorn builds the protocol itself, in
    every worker process."""
    return Settings.from_env().header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; a request's headers must arrive in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        cast(dict[str, Any], self.scope)[ARRIVED] = time.monotonic()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        cast(dict[str, Any], self.scope)[BODY_RECEIVED] = True
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        timeout_s = _header_timeout_s()
        if self._header_timer is None and timeout_s > 0:
            self._header_timer = self.loop.call_later(timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        log.info("a client did not send its request headers in time; connection closed")
        self.transport.close()
