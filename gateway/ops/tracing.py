"""OpenTelemetry spans, off by default (``CAAP_OTEL=1``, ``pip install caap-gateway[otel]``).

One server span per GraphQL request and one client span per HTTP request sent
to a city (``caap.city`` attribute), its parent the request's span; the W3C
``traceparent`` header goes upstream with it. Spans go to the tracer provider
the process has (set one up with the OpenTelemetry SDK or ``opentelemetry-instrument``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

log = logging.getLogger("caap.tracing")


class Tracing:
    """Makes spans when it has a tracer; does nothing otherwise."""

    def __init__(self, tracer: Tracer | None = None) -> None:
        self._tracer = tracer

    @classmethod
    def create(cls, enabled: bool, provider: TracerProvider | None = None) -> Tracing:
        """A tracer from ``provider`` (default: the global one) when ``enabled`` and installed."""
        if not enabled:
            return cls()
        try:
            from opentelemetry import trace
        except ImportError:
            log.warning("CAAP_OTEL is set but OpenTelemetry is not installed: caap-gateway[otel]")
            return cls()
        source = provider if provider is not None else trace.get_tracer_provider()
        return cls(source.get_tracer("caap-gateway"))

    @property
    def enabled(self) -> bool:
        """True when spans are made."""
        return self._tracer is not None

    @contextmanager
    def request_span(self, method: str, route: str) -> Iterator[Span | None]:
        """The server span of one request, current for the code inside the block."""
        if self._tracer is None:
            yield None
            return
        from opentelemetry.trace import SpanKind

        attributes = {"http.request.method": method, "http.route": route}
        with self._tracer.start_as_current_span(
            f"{method} {route}", kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            yield span

    def trace_configs(self, city_id: str) -> tuple[aiohttp.TraceConfig, ...]:
        """A client span for every HTTP request sent to ``city_id`` (none when disabled)."""
        tracer = self._tracer
        if tracer is None:
            return ()
        from opentelemetry import propagate, trace
        from opentelemetry.trace import SpanKind, Status, StatusCode

        async def on_start(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            attributes: dict[str, Any] = {
                "caap.city": city_id,
                "http.request.method": params.method,
                "url.full": str(params.url.with_query(None)),
                "server.address": params.url.host or "",
            }
            span = tracer.start_span(
                f"{params.method} {city_id}", kind=SpanKind.CLIENT, attributes=attributes
            )
            ctx.span = span
            propagate.inject(params.headers, context=trace.set_span_in_context(span))

        async def on_end(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            span = ctx.span
            span.set_attribute("http.response.status_code", params.response.status)
            if params.response.status >= 500:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {params.response.status}"))
            span.end()

        async def on_exception(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestExceptionParams,
        ) -> None:
            span = ctx.span
            span.set_attribute("error.type", type(params.exception).__name__)
            span.set_status(Status(StatusCode.ERROR, str(params.exception)[:200]))
            span.end()

        config = aiohttp.TraceConfig()
        config.on_request_start.append(on_start)
        config.on_request_end.append(on_end)
        config.on_request_exception.append(on_exception)
        return (config,)
