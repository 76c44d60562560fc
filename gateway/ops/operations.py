"""The operational side of one gateway process, wired into the app by ``create_app``.

Request ids and access logs (middleware), requests in flight, errors by code and
spans around ``/graphql``, per-city health and latency from aiohttp hooks, the
status page, and hot reload of the federation file. docs/operations.md tells
operators how to use it; docs/adr/0005-operations.md why it is so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import aiohttp
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from adapters.registry import AdapterRegistry
from gateway.federation import Federation
from gateway.http.access_log import AccessLogMiddleware
from gateway.http.request_id import upstream_trace_config
from gateway.ops.error_codes import collecting
from gateway.ops.inflight import InFlight
from gateway.ops.metrics import Metrics
from gateway.ops.operations_metrics import OpsMetrics
from gateway.ops.reload import Builder, Reloader
from gateway.ops.routes import routes as operator_routes
from gateway.ops.status.city_health import CityHealth
from gateway.ops.status.probe import Prober
from gateway.ops.tracing import Tracing
from gateway.process.settings import Settings
from gateway.process.state import GatewayState

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

Endpoint = Callable[[Request], Awaitable[Response]]


class Operations:
    """Built with the app; ``start`` installs the first federation, ``running`` serves it."""

    def __init__(
        self,
        settings: Settings,
        state: GatewayState,
        metrics: Metrics,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.registry = metrics.registry
        self.metrics = OpsMetrics(metrics.registry)
        self._internal_errors = metrics.internal_errors
        self.health = CityHealth(self.metrics)
        self.inflight = InFlight(self.metrics.in_flight)
        self.prober = Prober(self.health, self.inflight, settings.status_refresh_s, metrics)
        self.tracing = Tracing.create(settings.otel, tracer_provider)
        self.reloader: Reloader | None = None

    @property
    def loaded_at(self) -> float:
        """When the federation in force was loaded (Unix time; 0 before)."""
        return self.reloader.loaded_at if self.reloader is not None else 0.0

    def trace_configs(self, city_id: str) -> tuple[aiohttp.TraceConfig, ...]:
        """The aiohttp hooks for one city: request id, health and latency, spans."""
        return (
            upstream_trace_config(),
            self.health.trace_config(city_id),
            *self.tracing.trace_configs(city_id),
        )

    def middleware(self) -> list[Middleware]:
        """The access log, which also gives each request its id (one layer)."""
        return [Middleware(AccessLogMiddleware, metrics=self.metrics)]

    def routes(self) -> list[BaseRoute]:
        """``/``, ``/status.json``, ``/status/*`` and ``/admin/reload``."""
        return operator_routes()

    def observe(self, endpoint: Endpoint) -> Endpoint:
        """``endpoint`` counted in flight (reloads wait for it), in a span, errors counted."""

        async def observed(request: Request) -> Response:
            with self.inflight.track(), collecting() as codes:
                try:
                    if not self.tracing.enabled:
                        return await endpoint(request)
                    with self.tracing.request_span(request.method, request.url.path) as span:
                        response = await endpoint(request)
                        if span is not None:
                            span.set_attribute("http.response.status_code", response.status_code)
                        return response
                finally:
                    self.metrics.count_errors(codes)

        return observed

    def start(self, federation: Federation, registry: AdapterRegistry, build: Builder) -> None:
        """Serve ``federation`` (loaded from ``settings.config_path``) built by ``build``."""
        self.reloader = Reloader(
            self.state,
            self.settings.config_path,
            registry,
            build,
            self.inflight,
            self.metrics,
            self.health,
            self._internal_errors,
        )
        self.reloader.install(federation)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Reload triggers while inside; on the way out, probes stop and runtimes close."""
        assert self.reloader is not None, "start() first"
        try:
            async with self.reloader.triggers(self.settings.reload_watch_s):
                yield
        finally:
            await self.prober.aclose()
            await self.reloader.aclose()
