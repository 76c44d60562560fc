"""create_app(settings) -> Starlette: routes, and a lifespan that builds the shared state."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.registry import AdapterRegistry
from gateway.auth import Authenticator, effective_auth
from gateway.federation.loader import load_federation
from gateway.graphql_exec import Executor
from gateway.graphql_http import graphql_endpoint
from gateway.metrics import Metrics
from gateway.runtime import Runtime
from gateway.schema import build_schema
from gateway.schema.types import city_objects
from gateway.settings import Settings
from gateway.state import GatewayState

log = logging.getLogger("caap.app")


def create_app(settings: Settings, registry: AdapterRegistry | None = None) -> Starlette:
    """The gateway as an ASGI app; the federation is loaded when the app starts."""
    schema = build_schema()
    metrics = Metrics()
    state = GatewayState(executor=Executor(schema._schema), metrics=metrics)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reg = registry or AdapterRegistry.from_entry_points()
        federation = load_federation(settings.config_path, reg)
        auth = effective_auth(federation.auth, settings)
        runtime = Runtime.build(federation, reg)
        authenticator = Authenticator.for_config(auth)
        state.runtime = runtime
        state.authenticator = authenticator
        state.cities = city_objects(federation)
        log.info("federation loaded: %d cities from %s", len(federation.cities), federation.source)
        log.info("auth: %s", f"tokens of {auth.issuer}" if auth else "none, public data only")
        try:
            yield
        finally:
            state.runtime = None
            state.authenticator = None
            await runtime.aclose()
            await authenticator.aclose()

    async def timed_graphql(request: Request) -> Response:
        started = time.perf_counter()
        try:
            return await graphql_endpoint(request)
        finally:
            metrics.request_duration.observe(time.perf_counter() - started)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if state.runtime is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ready", "cities": len(state.cities)})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    routes: list[Route] = [
        Route("/graphql", timed_graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = state
    app.state.metrics = metrics
    return app
