"""The operator's HTTP surface beside ``/graphql``: the status page, ``/status.json``,
and ``POST /admin/reload`` (loopback only; ``caap reload`` calls it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import orjson
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.ops.status.document import status_document
from gateway.ops.status.map import ASSETS

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from gateway.ops.reload import Reloader
    from gateway.ops.status.city_health import CityHealth
    from gateway.ops.status.probe import Prober
    from gateway.process.settings import Settings
    from gateway.process.state import GatewayState


class OperatorView(Protocol):
    """What these routes read of the process's operations (``app.state.ops``)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def state(self) -> GatewayState: ...
    @property
    def registry(self) -> CollectorRegistry: ...
    @property
    def health(self) -> CityHealth: ...
    @property
    def prober(self) -> Prober: ...
    @property
    def reloader(self) -> Reloader | None: ...
    @property
    def loaded_at(self) -> float: ...


PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LOOPBACK = frozenset({"127.0.0.1", "::1"})
FORWARDING = ("forwarded", "x-forwarded-for", "x-real-ip")


def routes() -> list[BaseRoute]:
    """The routes, to add to the app's (with the assessment's, gateway/assessment/routes.py)."""
    from gateway.assessment.routes import routes as assessment_routes

    return [
        Route("/", status_page, methods=["GET"]),
        Route("/status.json", status_json, methods=["GET"]),
        Mount("/status", StaticFiles(directory=ASSETS), name="status-assets"),
        Route("/admin/reload", admin_reload, methods=["POST"]),
        *assessment_routes(),
    ]


def _ops(request: Request) -> OperatorView:
    ops: OperatorView = request.app.state.ops
    return ops


async def status_page(request: Request) -> Response:
    """The status page (static HTML; it polls ``/status.json``)."""
    return FileResponse(ASSETS / "index.html", headers=PAGE_HEADERS)


async def status_json(request: Request) -> Response:
    """Every city's health; probes, in the background, cities not heard from lately."""
    ops = _ops(request)
    runtime = ops.state.runtime
    if runtime is not None:
        ops.prober.refresh(runtime)
    document = status_document(
        runtime, ops.health, ops.registry, ops.loaded_at, ops.settings.status_refresh_s
    )
    return Response(
        orjson.dumps(document),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def admin_reload(request: Request) -> Response:
    """Reload the federation file now; answers what happened (422 when refused)."""
    client = request.client.host if request.client is not None else ""
    if client not in LOOPBACK or any(h in request.headers for h in FORWARDING):
        return _json({"error": "reload is allowed from the gateway's own host only"}, 403)
    reloader = _ops(request).reloader
    if reloader is None:
        return _json({"error": "the federation is not loaded yet"}, 503)
    result = await reloader.reload()
    body = {
        "outcome": result.outcome,
        "source": result.source,
        "cities": result.cities,
        "problems": list(result.problems),
    }
    return _json(body, 422 if result.outcome == "rejected" else 200)


def _json(body: object, status: int) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")
