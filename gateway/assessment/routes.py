"""``/assessment`` (HTML), ``/assessment.json``, ``/assessment.css`` and ``/catalogue.ttl``.

The report is measured on the first request and kept for ``REFRESH_S`` seconds (one run
at a time; a request meanwhile waits for it), for the federation in force; operation
checks read what the gateway itself has seen of each city (the status page's records).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.assessment.command import seen_by
from gateway.assessment.own_catalogue import TURTLE, catalogue_graph, serialise
from gateway.assessment.profile import Profile, ProfileError, load_profile
from gateway.assessment.render_html import CSS, render_html
from gateway.assessment.report import Report
from gateway.assessment.runner import assess
from gateway.ops.routes import PAGE_HEADERS, OperatorView
from gateway.process.runtime import Runtime

log = logging.getLogger("caap.assessment")
REFRESH_S = 60.0
"""How long a measured report is served before the next request measures again."""


class Assessments:
    """The latest report of the runtime in force, measured at most once per ``REFRESH_S``."""

    def __init__(self, profile: Profile, refresh_s: float = REFRESH_S) -> None:
        self.profile = profile
        self.refresh_s = refresh_s
        self._lock = asyncio.Lock()
        self._report: Report | None = None
        self._runtime: Runtime | None = None
        self._at = float("-inf")

    async def report(self, runtime: Runtime, ops: OperatorView) -> Report:
        """The latest report, measured now if it is older than ``refresh_s`` or of another
        runtime."""
        async with self._lock:
            fresh = time.monotonic() - self._at < self.refresh_s
            if self._report is None or self._runtime is not runtime or not fresh:
                self._report = await assess(
                    runtime.federation,
                    runtime.adapters,
                    runtime.catalogues,
                    self.profile,
                    seen_by(ops.health),
                )
                self._runtime, self._at = runtime, time.monotonic()
            return self._report


def routes() -> list[BaseRoute]:
    """The routes, to add to the app's."""
    return [
        Route("/assessment", assessment_page, methods=["GET"]),
        Route("/assessment.json", assessment_json, methods=["GET"]),
        Route("/assessment.css", assessment_css, methods=["GET"]),
        Route("/catalogue.ttl", catalogue_ttl, methods=["GET"]),
    ]


def _assessments(request: Request) -> Assessments:
    state = request.app.state
    found = getattr(state, "assessments", None)
    if not isinstance(found, Assessments):
        found = Assessments(load_profile())
        state.assessments = found
    return found


async def _report(request: Request) -> Report | Response:
    runtime = request.app.state.gateway.runtime
    if runtime is None:
        return _not_ready()
    ops: OperatorView = request.app.state.ops
    try:
        assessments = _assessments(request)
    except ProfileError as exc:
        log.error("no assessment: %s", exc)
        return _not_ready("the assessment's profile cannot be read; the log says why")
    return await assessments.report(runtime, ops)


def _not_ready(reason: str = "the federation is not loaded yet") -> Response:
    body = {"error": reason}
    return Response(orjson.dumps(body), status_code=503, media_type="application/json")


async def assessment_page(request: Request) -> Response:
    """The report as HTML: cities x checks, each cell linking to its evidence."""
    report = await _report(request)
    if isinstance(report, Response):
        return report
    return Response(
        render_html(report), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


async def assessment_json(request: Request) -> Response:
    """The report as JSON."""
    report = await _report(request)
    if isinstance(report, Response):
        return report
    return Response(
        orjson.dumps(report.as_dict()),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def assessment_css(request: Request) -> Response:
    """The page's stylesheet (a separate file: the page's CSP allows no inline style)."""
    return Response(CSS, media_type="text/css; charset=utf-8")


async def catalogue_ttl(request: Request) -> Response:
    """The gateway's DCAT-AP-SE catalogue in Turtle."""
    runtime = request.app.state.gateway.runtime
    if runtime is None:
        return _not_ready()
    base = f"{request.url.scheme}://{request.url.netloc}"
    today = datetime.now(UTC).date().isoformat()
    graph = catalogue_graph(runtime.federation, base, today)
    return Response(serialise(graph), media_type=TURTLE)
