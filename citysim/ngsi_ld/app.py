"""The NGSI-LD HTTP API of one simulated city (aiohttp): query, retrieve, discovery.

``GET /ngsi-ld/v1/entities``, ``GET /ngsi-ld/v1/entities/{entityId}``,
``GET /ngsi-ld/v1/types``, ``/types/{type}`` and ``/attributes`` (``types_api.py``) and
the temporal API (``temporal.py``): ``GET
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
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from multidict import CIMultiDict, MultiMapping

from citysim.conditional import conditional
from citysim.jsonld import JSONLD_CONTEXT_REL, TermContext, UnknownContext, term_context
from citysim.ngsi_ld import (
    geojson,
    ld_history,
    query_body,
    stored_reads,
    temporal_writes,
    types_api,
    writes,
)
from citysim.ngsi_ld.dialect import Dialect, dialect_middleware
from citysim.ngsi_ld.ld_history import History
from citysim.ngsi_ld.ld_render import project, with_context
from citysim.ngsi_ld.ld_store import EntityStore, StoredEntity
from citysim.ngsi_ld.negotiation import MediaType, choose_media_type, context_url
from citysim.ngsi_ld.paging import page_link
from citysim.ngsi_ld.params import EntityQuery, RetrieveQuery, parse_query, parse_retrieve
from citysim.ngsi_ld.payload import read_payload
from citysim.ngsi_ld.problems import (
    ERRORS,
    Problem,
    bad_request,
    context_not_available,
    ngsi_problem,
    not_found,
)
from citysim.ngsi_ld.render import Renderer
from citysim.ngsi_ld.search import search, search_nothing
from citysim.ngsi_ld.temporal import now_of, query_history, retrieve_history
from citysim.ngsi_ld.temporal_params import TemporalQuery, parse_temporal
from citysim.ngsi_ld.temporal_range import Cut
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
    dialect: Dialect = "scorpio"
    tenants: frozenset[str] = frozenset({"default"})
    """Tenants besides the default one (no ``NGSILD-Tenant`` header)."""
    protected: frozenset[str] = frozenset()
    """Types the diwise dialect answers 404 to unless the request has ``Authorization``."""
    store: EntityStore = field(default_factory=EntityStore, compare=False)
    """Entities created through the API (memory, this broker only)."""
    history: History = field(default_factory=History, compare=False)
    """The temporal history of the stored entities."""
    temporal_limit: int = 10_000
    """Instances per attribute a temporal answer holds at most (206 and Content-Range
    beyond, GS CIM 009 clause 6.3.10); Stellio's default ``temporal-limit`` is 10 000."""
    typed_q: bool = True
    """``q`` compares typed literals by type; False: they match no comparison (Orion-LD)."""


BROKER = web.AppKey("broker", Broker)


def create_app(broker: Broker, middlewares: Iterable[Middleware] = ()) -> web.Application:
    """The aiohttp application of one city; ``middlewares`` run before the API's own."""
    tenancy = dialect_middleware(broker.dialect, broker.tenants, broker.protected)
    app = web.Application(middlewares=[*middlewares, conditional, problems, tenancy])
    app[BROKER] = broker
    for root in ("/ngsi-ld/v1/temporal/entities", "/ngsi-ld/v1/temporal/entities/"):
        app.router.add_get(root, query_temporal)
    app.router.add_get("/ngsi-ld/v1/temporal/entities/{entityId}", retrieve_temporal)
    for root in ("/ngsi-ld/v1/entities", "/ngsi-ld/v1/entities/"):
        app.router.add_get(root, query_entities)
    app.router.add_get("/ngsi-ld/v1/entities/{entityId}", retrieve_entity)
    app.router.add_get("/ngsi-ld/v1/types", list_types)
    app.router.add_get("/ngsi-ld/v1/types/{type:.+}", retrieve_type)
    app.router.add_get("/ngsi-ld/v1/attributes", list_attributes)
    app.router.add_post("/ngsi-ld/v1/entityOperations/query", post_query_entities)
    app.router.add_post("/ngsi-ld/v1/temporal/entityOperations/query", post_query_temporal)
    writes.add_routes(app, _stores)
    temporal_writes.add_routes(app, _stores)
    return app


def _stores(request: web.Request) -> tuple[EntityStore, History]:
    broker = request.app[BROKER]
    return broker.store, broker.history


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Problems become ProblemDetails answers; anything unexpected a 500 InternalError."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if not request.path.startswith("/ngsi-ld/") or exc.status < 400:
            raise
        if exc.status == 405:
            detail = f"{request.method} is not supported on {request.path}"
            return ngsi_problem(405, "OperationNotSupported", detail).response()
        if exc.status == 404:
            return not_found(f"{request.path} names no resource of this broker").response()
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path_qs)
        return Problem(500, ERRORS + "InternalError", "Internal error", "see the log").response()


async def query_entities(request: web.Request) -> web.Response:
    """Query Entities (GS CIM 009 clause 6.4.3.2): the city's world, then stored entities."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request)
    query = parse_query(request.get(POSTED_QUERY, request.rel_url.query), ctx)
    _check_geometry_property(media, query.read.geometry_property)
    if _world_can_answer(query):
        result = search(broker.world, broker.style, query, ctx, typed_q=broker.typed_q)
    else:
        result = search_nothing(query)
    renderer = Renderer(query.form, ctx.url, broker.style, ld=media == "application/ld+json")
    world_body = [
        project(renderer.entity(e, result.projections[e.model.type_name]), query.read, ctx)
        for e in result.entities
    ]
    skip = max(0, query.offset - result.total)
    room = query.limit - len(result.entities)
    stored_body, stored_total = stored_reads.query_page(broker.store, query, ctx, skip, room)
    if media == "application/ld+json":
        stored_body = [with_context(e, ctx) for e in stored_body]
    total = result.total + stored_total
    body: Any
    if media == "application/geo+json":
        features = [
            renderer.feature(e, result.projections[e.model.type_name]) for e in result.entities
        ]
        geometry = query.read.geometry_property or "location"
        features += [geojson.feature(e, geometry) for e in stored_body]
        body = {
            "type": "FeatureCollection",
            "features": features,
            "@context": renderer.body_context if result.entities else _body_context(ctx),
        }
    else:
        body = world_body + stored_body
    headers = _headers(media, ctx)
    if query.count:
        headers[RESULTS_COUNT] = str(total)
    if query.limit and query.offset + query.limit < total:
        following = query.offset + query.limit
        headers.add("Link", page_link(request, following, query.limit, "next", media))
    if query.limit and query.offset > 0:
        previous = max(0, query.offset - query.limit)
        headers.add("Link", page_link(request, previous, query.limit, "prev", media))
    return web.Response(body=orjson.dumps(body), content_type=media, headers=headers)


def _world_can_answer(query: EntityQuery) -> bool:
    """False when a filter no generated entity can match (scopes, datasets)."""
    read = query.read
    return read.scope_q is None and (read.datasets is None or "@none" in read.datasets)


def _check_geometry_property(media: str, geometry_property: str | None) -> None:
    if geometry_property is not None and media != "application/geo+json":
        raise bad_request("geometryProperty", "only used with Accept: application/geo+json")


async def retrieve_entity(request: web.Request) -> web.Response:
    """Retrieve Entity (GS CIM 009 clause 6.5.3.1)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request)
    entity_id = request.match_info["entityId"]
    if not _URI.match(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    params = parse_retrieve(request.rel_url.query, ctx)
    _check_geometry_property(media, params.read.geometry_property)
    located = broker.world.locate(entity_id)
    if located is None:
        return _retrieve_stored(broker, entity_id, params, media, ctx)
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


def _retrieve_stored(
    broker: Broker, entity_id: str, params: RetrieveQuery, media: MediaType, ctx: TermContext
) -> web.Response:
    entity = broker.store.get(entity_id)
    if entity is None:
        raise not_found(f"entity {entity_id!r} does not exist")
    if params.types is not None and not params.types.matches_all(entity.types):
        raise not_found(f"entity {entity_id!r} is not of the type asked for")
    rendered = stored_reads.render_all(
        broker.store, [entity], params.read, params.form, params.attrs, ctx
    )
    if not rendered[0] or (params.attrs is not None and not set(rendered[0]) - {"id", "type"}):
        raise not_found(f"entity {entity_id!r} has none of the members asked for")
    body: Any = rendered[0] if len(rendered) == 1 else rendered
    if media == "application/geo+json":
        geometry = params.read.geometry_property or "location"
        body = {**geojson.feature(rendered[0], geometry), "@context": _body_context(ctx)}
    elif media == "application/ld+json":
        body = (
            [with_context(e, ctx) for e in rendered]
            if isinstance(body, list)
            else with_context(body, ctx)
        )
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


def _body_context(ctx: TermContext) -> Any:
    return ctx.document if ctx.document is not None else ctx.url


async def list_types(request: web.Request) -> web.Response:
    """Retrieve Available Entity Types (GS CIM 009 clause 6.25), as an EntityTypeList."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    if request.rel_url.query.get("details") == "true":
        details = types_api.entity_types(broker.world, broker.style, broker.store, ctx)
        return _discovery_answer(broker, details, media, ctx)
    names = [output_names(m.type_name, broker.style, ctx.url)[0] for m in MODELS]
    for entity in broker.store:
        names.extend(n for n in (ctx.compact(t) for t in entity.types) if n not in names)
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:EntityTypeList:{broker.world.city.id}",
        "type": "EntityTypeList",
        "typeList": names,
    }
    if media == "application/ld+json":
        body["@context"] = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


async def retrieve_type(request: web.Request) -> web.Response:
    """Retrieve Available Entity Type Information (GS CIM 009 clause 6.26)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    info = types_api.entity_type_info(
        broker.world, broker.style, broker.store, ctx, request.match_info["type"]
    )
    return _discovery_answer(broker, info, media, ctx)


async def list_attributes(request: web.Request) -> web.Response:
    """Retrieve Available Attributes (GS CIM 009 clause 6.27)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    details = request.rel_url.query.get("details") == "true"
    body = types_api.attribute_list(broker.world, broker.style, broker.store, ctx, details)
    return _discovery_answer(broker, body, media, ctx)


def _discovery_answer(
    broker: Broker, body: Any, media: MediaType, ctx: TermContext
) -> web.Response:
    """A discovery answer; with ``application/ld+json`` each object carries the @context."""
    if media == "application/ld+json":
        context = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
        items = body if isinstance(body, list) else [body]
        items = [{"@context": context, **item} for item in items]
        body = items if isinstance(body, list) else items[0]
    return web.Response(body=orjson.dumps(body), content_type=media, headers=_headers(media, ctx))


async def query_temporal(request: web.Request) -> web.Response:
    """Query Temporal Evolution of Entities (GS CIM 009 clause 6.18.3.2)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    params = request.get(POSTED_QUERY, request.rel_url.query)
    stored_query = parse_temporal(
        params, ctx, now_of(broker.world), selecting=True, window_required=False
    )
    if stored_query.timeproperty == "observedAt" and _world_can_answer_temporal(stored_query):
        world = query_history(broker.world, broker.style, params, ctx, broker.temporal_limit)
        body, total, world_cut = world.body, world.total, world.cut
    else:
        body, total, world_cut = [], 0, None
    query = stored_query
    found = ld_history.select(broker.history, query, ctx)
    found = [e for e in found if ld_history.has_instances(ld_history.full_entity(e), query, ctx)]
    skip = max(0, query.offset - total)
    room = query.limit - len(body)
    page = [ld_history.full_entity(e) for e in found[skip : skip + room]]
    series, cut = _capped(broker, page, query)
    cut = cut or world_cut
    body += [ld_history.render_temporal(entity, query, ctx, series) for entity in page]
    total += len(found)
    if media == "application/ld+json":
        context = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
        body = [{**entity, "@context": context} for entity in body]
    headers = _headers(media, ctx)
    if query.count:
        headers[RESULTS_COUNT] = str(total)
    if query.offset + query.limit < total:
        following = query.offset + query.limit
        headers.add("Link", page_link(request, following, query.limit, "next", media))
    if cut is not None:
        headers["Content-Range"] = cut.header()
    status = 206 if cut is not None else 200
    return web.Response(status=status, body=orjson.dumps(body), content_type=media, headers=headers)


def _capped(
    broker: Broker, entities: list[StoredEntity], query: TemporalQuery
) -> tuple[ld_history.Series, Cut | None]:
    series = ld_history.windowed(entities, query)
    if query.form == "aggregatedValues":
        return series, None
    return ld_history.cap(series, query, broker.temporal_limit)


def _world_can_answer_temporal(query: TemporalQuery) -> bool:
    read = query.read
    return read.scope_q is None and (read.datasets is None or "@none" in read.datasets)


async def retrieve_temporal(request: web.Request) -> web.Response:
    """Retrieve Temporal Evolution of an Entity (GS CIM 009 clause 6.19.3.1)."""
    broker = request.app[BROKER]
    media, ctx = _negotiate(request, geo=False)
    entity_id = request.match_info["entityId"]
    if not _URI.match(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    if broker.world.locate(entity_id) is not None:
        found = retrieve_history(
            broker.world,
            broker.style,
            entity_id,
            request.rel_url.query,
            ctx,
            broker.temporal_limit,
        )
        body, cut = found.body[0], found.cut
    else:
        entity = broker.history.get(entity_id)
        if entity is None:
            raise not_found(f"temporal entity {entity_id!r} does not exist")
        query = parse_temporal(
            request.rel_url.query, ctx, now_of(broker.world), window_required=False
        )
        if query.types is not None and not query.types.matches_all(entity.types):
            raise not_found(f"entity {entity_id!r} is not of the type asked for")
        series, cut = _capped(broker, [entity], query)
        body = ld_history.render_temporal(entity, query, ctx, series)
        asked = query.attrs is not None or query.read.pick is not None or query.read.omit
        if asked and not set(body) - {"id", "type", "scope"}:
            raise not_found(f"temporal entity {entity_id!r} has none of the members asked for")
    if media == "application/ld+json":
        body["@context"] = Renderer("normalized", ctx.url, broker.style, ld=True).body_context
    headers = _headers(media, ctx)
    if cut is not None:
        headers["Content-Range"] = cut.header()
    status = 206 if cut is not None else 200
    return web.Response(status=status, body=orjson.dumps(body), content_type=media, headers=headers)


def negotiate_context(request: web.Request) -> TermContext:
    """The @context the request's ``Link`` header names (core context when none)."""
    url = context_url(request.headers.getall("Link", []))
    try:
        return term_context(url)
    except UnknownContext:
        raise context_not_available(url or "") from None


POSTED_QUERY = web.RequestKey("citysim.posted-query", MultiMapping[str])
"""The GET parameters a POSTed Query stands for."""
POSTED_CONTEXT = web.RequestKey("citysim.posted-context", TermContext)
"""The @context a POSTed Query came with."""


async def post_query_entities(request: web.Request) -> web.Response:
    """Query Entities by POST (clause 6.23): the body's Query as GET parameters."""
    await _posted(request, temporal=False)
    return await query_entities(request)


async def post_query_temporal(request: web.Request) -> web.Response:
    """Query Temporal Evolution of Entities by POST (clause 6.24)."""
    await _posted(request, temporal=True)
    return await query_temporal(request)


async def _posted(request: web.Request, *, temporal: bool) -> None:
    body, ctx = await read_payload(request)
    request[POSTED_QUERY] = query_body.parameters(body, request.rel_url.query, temporal=temporal)
    request[POSTED_CONTEXT] = ctx


def _negotiate(request: web.Request, *, geo: bool = True) -> tuple[MediaType, TermContext]:
    media = choose_media_type(request.headers.get("Accept"), geo=geo)
    posted = request.get(POSTED_CONTEXT)
    if posted is not None:
        return media, posted
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
