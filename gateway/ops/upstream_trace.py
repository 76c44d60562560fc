"""Count every HTTP request sent to a city platform, through aiohttp's tracing hooks.

``upstream_trace(city, metrics)`` is passed to the city's adapter in
``AdapterContext.trace_configs``; sessions built with ``adapters.http.new_session``
call it for each request (each page, each retry, each revalidation). aiohttp itself
resends an idempotent request once when a kept-alive connection drops (RFC 9112
9.3.1): each sending is counted, the dropped one as ``unavailable``.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import aiohttp

from adapters.errors import AdapterError, UpstreamError
from gateway.ops.metrics import Metrics


def outcome_of_status(status: int) -> str:
    """The ``outcome`` label of an answered request."""
    if status == 304:
        return "not_modified"
    if status == 429:
        return "rate_limited"
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        return "redirect"
    if 400 <= status < 500:
        return "client_error"
    return "server_error"


def outcome_of_error(error: BaseException) -> str:
    """The ``outcome`` label of a request that got no answer (or one a middleware refused,
    such as the credentials' 401)."""
    if isinstance(error, UpstreamError) and error.status is not None:
        return outcome_of_status(error.status)
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ClientConnectionError | ConnectionError):
        return "unavailable"
    return "error"


def upstream_trace(city_id: str, metrics: Metrics) -> aiohttp.TraceConfig:
    """A TraceConfig that counts requests, outcomes, connections and requests in flight."""
    trace = aiohttp.TraceConfig()
    requests = metrics.upstream_requests
    by_outcome: dict[str, Any] = {}  # the labelled children, looked up once (``labels`` is slow)
    in_flight = metrics.upstream_in_flight.labels(city_id)
    connections = metrics.upstream_connections.labels(city_id)
    in_flight.set(0)

    def counter(outcome: str) -> Any:
        child = by_outcome.get(outcome)
        if child is None:
            child = by_outcome[outcome] = requests.labels(city_id, outcome)
        return child

    def count(ctx: SimpleNamespace, outcome: str) -> None:
        resent = max(0, getattr(ctx, "sent", 0) - 1)
        if resent:
            counter("unavailable").inc(resent)
        counter(outcome).inc()

    async def started(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        ctx.sent = 0
        in_flight.inc()

    async def sent(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        ctx.sent += 1

    async def ended(
        session: aiohttp.ClientSession, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        in_flight.dec()
        count(ctx, outcome_of_status(params.response.status))

    async def failed(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestExceptionParams,
    ) -> None:
        in_flight.dec()
        if isinstance(params.exception, AdapterError) and not getattr(ctx, "sent", 0):
            return  # refused before sending (no token to be had): not a request to the city
        count(ctx, outcome_of_error(params.exception))

    async def connecting(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceConnectionCreateStartParams,
    ) -> None:
        connections.inc()

    trace.on_request_start.append(started)
    trace.on_request_headers_sent.append(sent)
    trace.on_request_end.append(ended)
    trace.on_request_exception.append(failed)
    trace.on_connection_create_start.append(connecting)
    trace.freeze()
    return trace
