"""DCAT-AP-SE catalogue routes of a simulated city.

``GET /dcat/catalog.ttl`` (``text/turtle``), ``GET /dcat/catalog.rdf``
(``application/rdf+xml``), ``GET /dcat/catalog`` choosing by ``Accept`` (Turtle
when nothing better is asked; 406 for a type not offered), and
``GET /api/datasets/dcat`` (RDF/XML, where diwise's open-data API publishes its catalogue).
"""

from __future__ import annotations

from aiohttp import web

from citysim.dcat.rdf import serialised
from citysim.municipalities import Municipality

CITY = web.AppKey("dcat_city", Municipality)
SEED = web.AppKey("dcat_seed", int)
TURTLE = "text/turtle"
RDF_XML = "application/rdf+xml"


def mount(app: web.Application, city: Municipality, seed: int = 0) -> None:
    """Add the catalogue routes to ``app``."""
    app[CITY] = city
    app[SEED] = seed
    app.router.add_get("/dcat/catalog.ttl", turtle)
    app.router.add_get("/dcat/catalog.rdf", rdf_xml)
    app.router.add_get("/dcat/catalog", negotiated)
    app.router.add_get("/api/datasets/dcat", rdf_xml)


async def turtle(request: web.Request) -> web.Response:
    """The catalogue in Turtle."""
    return _answer(request, TURTLE)


async def rdf_xml(request: web.Request) -> web.Response:
    """The catalogue in RDF/XML."""
    return _answer(request, RDF_XML)


async def negotiated(request: web.Request) -> web.Response:
    """Turtle or RDF/XML, as ``Accept`` prefers."""
    accept = (request.headers.get("Accept") or "*/*").lower()
    for kind in _by_preference(accept):
        if kind in (TURTLE, RDF_XML):
            return _answer(request, kind)
        if kind in ("*/*", "text/*"):
            return _answer(request, TURTLE)
        if kind == "application/*":
            return _answer(request, RDF_XML)
    return web.Response(status=406, text=f"offered: {TURTLE}, {RDF_XML}\n")


def _by_preference(accept: str) -> list[str]:
    """The media ranges of ``accept``, highest ``q`` first (ties: in the order given)."""
    ranked: list[tuple[float, str]] = []
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            ranked.append((weight, kind))
    return [kind for _, kind in sorted(ranked, key=lambda r: -r[0])]


def _answer(request: web.Request, media: str) -> web.Response:
    base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
    rdf_format = "turtle" if media == TURTLE else "xml"
    body = serialised(request.app[CITY], base, rdf_format, request.app[SEED])
    return web.Response(body=body, content_type=media, charset="utf-8")
