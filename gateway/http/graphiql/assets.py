"""The files GraphiQL's page loads, served from the installed npm packages (``node_modules``).

Only the names listed in ``ASSETS`` are served; anything else under the route is a 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
ASSET_ROUTE = "/graphiql/assets/{name}"
"""Where the page finds its assets (it links them relative to ``/graphql``)."""

ASSETS: dict[str, Path] = {
    "react.production.min.js": MODULES / "react" / "umd" / "react.production.min.js",
    "react-dom.production.min.js": MODULES / "react-dom" / "umd" / "react-dom.production.min.js",
    "graphiql.min.js": MODULES / "graphiql" / "graphiql.min.js",
    "graphiql.min.css": MODULES / "graphiql" / "graphiql.min.css",
    "start.js": HERE / "start.js",
}
"""URL name -> file: the pinned packages' UMD builds, and the page's own script."""

CACHE_CONTROL = "public, max-age=3600"
NOT_INSTALLED = (
    "GraphiQL's assets are not installed on this gateway: "
    "run `make` (or `npm ci` in gateway/http/graphiql)"
)


async def graphiql_asset(request: Request) -> Response:
    """``GET /graphiql/assets/{name}``: one of ``ASSETS``."""
    name = request.path_params["name"]
    path = ASSETS.get(name)
    if path is None:
        return PlainTextResponse(f"no GraphiQL asset named {name!r}", status_code=404)
    if not path.is_file():
        return PlainTextResponse(NOT_INSTALLED, status_code=503)
    return FileResponse(path, headers={"Cache-Control": CACHE_CONTROL})


def assets_installed() -> bool:
    """Whether every asset is on disk (``npm ci`` ran)."""
    return all(path.is_file() for path in ASSETS.values())
