"""create_app(settings) -> Starlette: routes, and a lifespan that builds the shared state."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from adapters import AnswerBudget
from adapters.registry import AdapterRegistry
from gateway.auth import Authenticator, effective_auth
from gateway.clock import Clocks
from gateway.federation import Federation
from gateway.federation.guards import QueryLimits
from gateway.federation.loader import load_federation
from gateway.graphql.execution import Executor
from gateway.graphql.protection import Guards
from gateway.graphql.schema import build_schema
from gateway.graphql.schema.types import city_objects
from gateway.http.disconnect import cancel_on_disconnect
from gateway.http.examples import example_routes
from gateway.http.graphiql import ASSET_ROUTE, graphiql_asset
from gateway.http.graphql_endpoint import graphql_endpoint, receive_body
from gateway.http.graphql_lane import GraphqlLane
from gateway.http.live_endpoint import wants_event_stream
from gateway.http.live_wiring import live_parts
from gateway.http.notify import notify_endpoint
from gateway.ops.gc_tuning import tune_gc
from gateway.ops.metrics import Metrics
from gateway.ops.operations import Operations
from gateway.ops.reload import ServedFederation
from gateway.process.runtime import Runtime
from gateway.process.settings import Settings
from gateway.process.state import GatewayState

log = logging.getLogger("caap.app")


def create_app(
    settings: Settings,
    registry: AdapterRegistry | None = None,
    *,
    clocks: Clocks | None = None,
    server: bool = False,
) -> Starlette:
    """The gateway as an ASGI app; the federation is loaded when the app starts.

    ``clocks``: the time of cache entries and circuit breakers (a test's manual clock).
    ``server``: the app is the process's own (``caap serve``): the garbage collector is
    tuned for it when it starts (``gateway/ops/gc_tuning.py``).
    """
    schema = build_schema()
    metrics = Metrics()
    guards = Guards(
        redis_url=settings.redis_url, metrics=metrics, clock=(clocks or Clocks()).monotonic
    )
    state = GatewayState(executor=Executor(schema._schema), metrics=metrics, guards=guards)
    ops = Operations(settings, state, metrics)
    live, live_view, listening = live_parts(settings, state, schema, clocks)
    state.live = live
    answers = AnswerBudget(QueryLimits().upstream_bytes)
    """One budget for the cities' answers, kept across reloads (a reload sets its size)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reg = registry or AdapterRegistry.from_entry_points()
        if server:  # before the federation, which a reload replaces: it stays collectable
            tune_gc()

        def build(federation: Federation) -> ServedFederation:
            """What one federation needs to serve; also called by every hot reload."""
            auth = effective_auth(federation.auth, settings)
            answers.limit = federation.options.limits.upstream_bytes
            runtime = Runtime.build(
                federation,
                reg,
                ops.trace_configs,
                metrics=metrics,
                redis_url=settings.redis_url,
                clocks=clocks,
                answer_budget=answers,
            )
            authenticator = Authenticator.for_config(auth)
            log.info("auth: %s", f"tokens of {auth.issuer}" if auth else "none, public data only")
            return ServedFederation(runtime, authenticator, city_objects(federation))

        federation = load_federation(settings.config_path, reg)
        ops.start(federation, reg, build)
        log.info("federation loaded: %d cities from %s", len(federation.cities), federation.source)
        async with ops.running():  # on the way out: the runtime and authenticator are closed
            try:
                yield
            finally:
                await live.aclose()
                await guards.aclose()

    @ops.observe
    async def timed_graphql(request: Request) -> Response:
        started = time.perf_counter()
        try:
            return await cancel_on_disconnect(request, graphql_endpoint)
        finally:
            metrics.request_duration.observe(time.perf_counter() - started)

    async def serve_graphql(request: Request) -> Response:
        """The body first (bounded in size and time), then the request is in flight."""
        received = await receive_body(request, settings.body_timeout_s)
        if isinstance(received, Response):
            return received
        listening.learn(request.scope)
        if wants_event_stream(received):  # graphql-sse: long-lived, not a request in flight
            return await live_view.serve(received)
        return await timed_graphql(received)

    async def serve_websocket(websocket: WebSocket) -> None:
        listening.learn(websocket.scope)
        await live_view.run(websocket)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if state.runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ready", "cities": len(state.cities)})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    routes: list[BaseRoute] = [
        Route("/graphql", serve_graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", serve_websocket),
        Route(
            "/notify/{secret}",
            notify_endpoint(live.callbacks, settings.body_timeout_s),
            methods=["POST"],
        ),
        Route(ASSET_ROUTE, graphiql_asset, methods=["GET"]),
        *example_routes(),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        *ops.routes(),
    ]
    middleware = [*ops.middleware(), Middleware(GraphqlLane, endpoint=serve_graphql)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.gateway = state
    app.state.metrics = metrics
    app.state.ops = ops
    app.state.live_view = live_view
    return app
