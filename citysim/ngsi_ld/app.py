"""The NGSI-LD HTTP API of one simulated city (aiohttp): query, retrieve, list types.

``GET /ngsi-ld/v1/entities``, ``GET /ngsi-ld/v1/entities/{entityId}``,
``GET /ngsi-ld/v1/types`` and the temporal API (``temporal.py``): ``GET
/ngsi-ld/v1/temporal/entities`` and ``GET /ngsi-ld/v1/temporal/entities/{entityId}``.
Tenants and the diwise dialect: ``dialect.py``. Content negotiation and @context
handling follow GS CIM 009 clauses 6.3.4-6.3.6: errors are ``application/json``
ProblemDetails without a Link header; ``application/json`` answers carry the @context
in a Link header, ``application/ld+json`` ones in the body; query pages link to the next and
previous page with ``Link: <...>; rel="next"`` (a relative reference).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from multidict import CIMultiDict

from citysim.conditional import conditional
from citysim.jsonld import JSONLD_CONTEXT_REL, TermContext, UnknownContext, term_context
from citysim.ngsi_ld.dialect import Dialect, dialect_middleware
from citysim.ngsi_ld.negotiation import MediaType, choose_media_type, context_url
from citysim.ngsi_ld.params import parse_query, parse_retrieve
from citysim.ngsi_ld.problems import ERRORS, Problem, bad_request, context_not_available, not_found
from citysim.ngsi_ld.render import Renderer
from citysim.ngsi_ld.search import search
from citysim.ngsi_ld.temporal import page_link, query_history, retrieve_history
from citysim.ngsi_ld.vocabulary import output_names, stored
from citysim.settings import ContextStyle
from citysim.world.catalog import MODELS
from citysim.world.city import CityWorld

log = logging.getLogger("citysim.ngsi_ld")

RESULTS_COUNT = "NGSILD-Results-Count"
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


@dataclass(frozen=True, slots=True)
class Broker:
    """What the handlers serve: a city's world and the @context its entities were made with."""

    world: CityWorld
    style: ContextStyle
    dialect: Dialect = "etsi"
    tenants: frozenset[str] = frozenset({"default"})
    """Tenants besides the default one (no ``NGSILD-Tenant`` header)."""
    protected: frozenset[str] = frozenset()
    """Types the diwise dialect answers 404 to unless the request has ``Authorization``."""


BROKER = web.AppKey("broker", Broker)


def create_app(broker: Broker, middlewares: Iterable[Middleware] = ()) -> web.Application:
    """The aiohttp application of one city; ``middlewares`` run before the API's own."""
    tenancy = dialect_middleware(broker.dialect, broker.tenants, broker.protected)
    app = web.Application(middlewares=[*middlewares, conditional, problems, tenancy])
    app[BROKER] = broker
    app.router.add_get("/ngsi-ld/v1/temporal/entities", query_temporal)
    app.router.add_get("/ngsi-ld/v1/temporal/entities/{entityId}", retrieve_temporal)
    app.router.add_get("/ngsi-ld/v1/entities", query_entities)
    app.router.add_get("/ngsi-ld/v1/entities/{entityId}", retrieve_entity)
    app.router.add_get("/ngsi-ld/v1/types", list_types)
    return app


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Problems become ProblemDetails answers; anything unexpected a 500 InternalError."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path_qs)
        return Problem(500, ERRORS + "InternalError", "Internal error", "see the log").response()


async def query_entities(request: web.Request) -> web.Response:
    """Query Entities (GS CIM 009 clause 6.4.3.2)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request)
    query = parse_query(request.rel_url.query, ctx)
    result = search(broker.world, broker.style, query, ctx)
    renderer = Renderer(query.form, ctx.url, broker.style, ld=media == "application/ld+json")
    body: Any
    if media == "application/geo+json":
        features = [
            renderer.feature(e, result.projections[e.model.type_name]) for e in result.entities
        ]
        body = {
            "type": "FeatureCollection",
            "features": features,
            "@context": renderer.body_context,
        }
    else:
        body = [renderer.entity(e, result.projections[e.model.type_name]) for e in result.entities]
    headers = _headers(media, ctx)
    if query.count:
        headers[RESULTS_COUNT] = str(result.total)
    if query.limit and query.offset + query.limit < result.total:
        headers.add("Link", _page_link(request, query.offset + query.limit, query.limit, "next"))
    if query.limit and query.offset > 0:
        previous = max(0, query.offset - query.limit)
        headers.add("Link", _page_link(request, previous, query.limit, "prev"))
    return web.Response(body=orjson.dumps(body), content_type=media, headers=headers)


async def retrieve_entity(request: web.Request) -> web.Response:
    """Retrieve Entity (GS CIM 009 clause 6.5.3.1)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request)
    entity_id = request.match_info["entityId"]
    if not _URI.match(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    params = parse_retrieve(request.rel_url.query, ctx)
    located = broker.world.locate(entity_id)
    if located is None:
        raise not_found(f"entity {entity_id!r} does not exist")
    model, index = located
    names = stored(model.type_name, broker.style)
    if params.types is not None and not params.types.matches(names.type_iri):
        raise not_found(f"entity {entity_id!r} is not of the type asked for")
    projection = None if params.attrs is None else names.select(params.attrs, ctx)
    entity = broker.world.entity(model, index, broker.world.bucket())
    renderer = Renderer(params.form, ctx.url, broker.style, ld=media == "application/ld+json")
    if media == "application/geo+json":
        body = {**renderer.feature(entity, projection), "@context": renderer.body_context}
    else:
        body = renderer.entity(entity, projection)
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


async def list_types(request: web.Request) -> web.Response:
    """Retrieve Available Entity Types (GS CIM 009 clause 6.25), as an EntityTypeList."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    names = [output_names(m.type_name, broker.style, ctx.url)[0] for m in MODELS]
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:EntityTypeList:{broker.world.city.id}",
        "type": "EntityTypeList",
        "typeList": names,
    }
    if media == "application/ld+json":
        body["@context"] = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


async def query_temporal(request: web.Request) -> web.Response:
    """Query Temporal Evolution of Entities (GS CIM 009 clause 6.18.3.2)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    body, total, query = query_history(broker.world, broker.style, request.rel_url.query, ctx)
    if media == "application/ld+json":
        context = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
        body = [{**entity, "@context": context} for entity in body]
    headers = _headers(media, ctx)
    if query.count:
        headers[RESULTS_COUNT] = str(total)
    if query.offset + query.limit < total:
        headers.add("Link", page_link(request, query.offset + query.limit, query.limit, "next"))
    return web.Response(body=orjson.dumps(body), content_type=media, headers=headers)


async def retrieve_temporal(request: web.Request) -> web.Response:
    """Retrieve Temporal Evolution of an Entity (GS CIM 009 clause 6.19.3.1)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    entity_id = request.match_info["entityId"]
    if not _URI.match(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    body = retrieve_history(broker.world, broker.style, entity_id, request.rel_url.query, ctx)
    if media == "application/ld+json":
        body["@context"] = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


def _negotiate(request: web.Request, *, geo: bool = True) -> tuple[MediaType, TermContext]:
    media = choose_media_type(request.headers.get("Accept"), geo=geo)
    url = context_url(request.headers.getall("Link", []))
    try:
        return media, term_context(url)
    except UnknownContext:
        raise context_not_available(url or "") from None


def _headers(media: MediaType, ctx: TermContext) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    if media == "application/json":
        headers.add("Link", f'<{ctx.url}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"')
    return headers


def _page_link(request: web.Request, offset: int, limit: int, rel: str) -> str:
    target = request.rel_url.update_query(offset=str(offset), limit=str(limit))
    return f'<{target}>; rel="{rel}"'
