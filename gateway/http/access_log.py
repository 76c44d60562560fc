"""One log line and one counter increment per HTTP request (ASGI middleware).

``AccessLogMiddleware`` is also where each request gets its id and arrival
(``request_id.identify``): one layer, one ``send`` wrapper on every request.

The route label is the path for the gateway's own paths and ``other`` for
anything else, so a scanner cannot blow up the metric's cardinality. Probes and
scrapes (``/healthz``, ``/readyz``, ``/metrics``, ``/status*``) log at DEBUG.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.request_id import forget, identify, with_id
from gateway.ops.log_batch import direct, hold_direct_lines, write_held_lines
from gateway.ops.operations_metrics import OpsMetrics

log = logging.getLogger("caap.access")

ROUTES = frozenset(
    {"/graphql", "/", "/status.json", "/healthz", "/readyz", "/metrics", "/admin/reload"}
)
NOTIFY = "/notify/"
"""Platforms' notifications (gateway/live/callbacks.py): the path holds a secret."""
_COUNTERS = 512
"""Counters remembered at most (methods come from clients: the rest are looked up)."""
QUIET = frozenset({"/healthz", "/readyz", "/metrics", "/status.json"})


class AccessLogMiddleware:
    """Gives the request its id (echoed in ``X-Request-ID``), then logs
    ``METHOD path status duration`` with it, and counts the request."""

    def __init__(self, app: ASGIApp, metrics: OpsMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._counters: dict[tuple[str, str, int], Any] = {}
        """The counter of each (route, method, status) seen, up to ``_COUNTERS``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # plain calls, not context managers: this runs for every request
        identity = identify(scope)
        holding = hold_direct_lines()  # a hit's audit lines and this line: one write
        raw = identity.raw
        try:

            async def capture(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message = with_id(message, raw)
                await send(message)

            try:
                await self.app(scope, receive, capture)
            finally:
                self._log(scope["method"], scope["path"], status, started)
        finally:
            write_held_lines(holding)
            forget(identity)

    def _log(self, method: str, path: str, status: int, started: float) -> None:
        if path.startswith(NOTIFY):
            path = NOTIFY + "*"  # the rest is an inbox's secret: never logged
        route = (
            path
            if path in ROUTES
            else "/status/*"
            if path.startswith("/status/")
            else path
            if path == NOTIFY + "*"
            else "other"
        )
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = self.metrics.http_requests.labels(route, method, str(status))
            if len(self._counters) < _COUNTERS:
                self._counters[route, method, status] = counter
        counter.inc()
        level = logging.DEBUG if route in QUIET or route == "/status/*" else logging.INFO
        fields = {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        handler = direct(log, level)  # the line without logging's machinery, when it can
        if handler is not None:
            handler.write_direct(log, level, [f"{method} {path} {status}"], fields)
        else:
            log.log(level, "%s %s %d", method, path, status, extra={"fields": fields})
