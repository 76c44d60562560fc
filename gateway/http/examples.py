"""The example app (``examples/city-map/``) served by the gateway itself, same origin as
``/graphql``: the page needs no CORS and no network beyond the gateway (ADR 0019).

Only the files listed in ``FILES`` are served, with the status page's headers (scripts,
styles and requests from this origin only); in an installation without the source tree's
``examples/`` folder the route answers 404 saying so.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.ops.routes import PAGE_HEADERS

CITY_MAP = Path(__file__).resolve().parents[2] / "examples" / "city-map"
FILES = {
    "index.html": "text/html; charset=utf-8",
    "city-map.js": "text/javascript; charset=utf-8",
    "city-map.css": "text/css; charset=utf-8",
}
"""URL name -> media type: the page, its module and its style sheet."""


async def city_map_file(request: Request) -> Response:
    """``GET /examples/city-map/{name}`` (the page itself without a name)."""
    name = request.path_params.get("name", "index.html")
    media_type = FILES.get(name)
    if media_type is None:
        return PlainTextResponse(f"no file {name!r} in the city-map example", status_code=404)
    path = CITY_MAP / name
    if not path.is_file():
        return PlainTextResponse(
            "the city-map example is not installed here (it lives in the source tree's examples/)",
            status_code=404,
        )
    return FileResponse(
        path, media_type=media_type, headers={**PAGE_HEADERS, "Cache-Control": "no-cache"}
    )


def example_routes() -> list[BaseRoute]:
    """The example app's routes, for the app's route list."""
    return [
        Route("/examples/city-map/", city_map_file, methods=["GET"]),
        Route("/examples/city-map/{name}", city_map_file, methods=["GET"]),
    ]
