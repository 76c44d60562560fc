"""The routes of the simulated open-data API, mounted on a city's aiohttp application.

``GET /api/<resource>`` lists a resource (see ``resources.py``), one page at a time
(see ``paging.py``), newest bucket only, ordered by id. Filters: ``from`` / ``to``
(ISO 8601 with a zone; observation time, ``from`` inclusive, ``to`` exclusive) and
``bbox=minLon,minLat,maxLon,maxLat`` (items whose geometry's bounding box meets
it), and field filters (``temperature__gt=20``, see ``field_filters.py``).
``Accept: application/geo+json`` gives a FeatureCollection. ``GET /api``
lists the resources. Errors are RFC 7807 ``application/problem+json``; an unknown
parameter is refused by name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from citysim.rest_json.field_filters import MAX_FILTERS, FieldFilter, field_filter
from citysim.rest_json.paging import (
    PARAMETERS,
    PagingError,
    PagingStyle,
    Window,
    next_params,
    window,
)
from citysim.rest_json.resources import RESOURCES, Resource
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld, Entity

WORLD = web.AppKey("rest_world", CityWorld)
STYLE = web.AppKey("rest_paging", str)
FILTERS = frozenset({"from", "to", "bbox"})
GEOJSON = "application/geo+json"


def mount(app: web.Application, world: CityWorld, style: PagingStyle) -> None:
    """Add ``/api`` and ``/api/<resource>`` to ``app``."""
    app[WORLD] = world
    app[STYLE] = style
    app.router.add_get("/api", list_resources)
    app.router.add_get("/api/{resource:[a-z]+}", list_items)


async def list_resources(request: web.Request) -> web.Response:
    """The resources and the paging style of this API."""
    style = request.app[STYLE]
    body = {
        "resources": [{"name": r.name, "type": r.type_name} for r in RESOURCES.values()],
        "paging": style,
    }
    return web.Response(body=orjson.dumps(body), content_type="application/json")


async def list_items(request: web.Request) -> web.Response:
    """One page of a resource."""
    resource = RESOURCES.get(request.match_info["resource"])
    if resource is None:
        return problem(404, f"no resource {request.match_info['resource']!r} (see /api)")
    style: Any = request.app[STYLE]
    params = request.rel_url.query
    allowed = FILTERS | PARAMETERS[style]
    try:
        page = window(style, params)
        items = _select(request.app[WORLD], resource, params)
    except (PagingError, ValueError) as exc:
        return problem(400, str(exc))
    shown = [resource.shape(e) for e in items]
    fields = frozenset(k for item in shown for k in item)
    filters: list[FieldFilter] = []
    for name in params:
        if len(params.getall(name)) > 1:
            return problem(400, f"{name}: given more than once")
        if name in allowed:
            continue
        found = field_filter(name, params[name], fields)
        if found is None:
            known = ", ".join(sorted(allowed))
            return problem(
                400, f"{name}: unknown parameter (known: {known}, and <field>__<lookup> filters)"
            )
        filters.append(found)
    if len(filters) > MAX_FILTERS:
        return problem(400, f"at most {MAX_FILTERS} field filters")
    geo = _wants_geojson(request.headers.get("Accept"))
    if geo is None:
        return problem(406, "Accept: only application/json and application/geo+json are offered")
    shown = [i for i in shown if all(f.keeps(i) for f in filters)]
    chosen = shown[page.start : page.start + page.size]
    more = page.start + page.size < len(shown)
    next_url = str(request.url.update_query(next_params(style, page))) if more else None
    body = _body(style, chosen, len(shown), page, next_url, str(request.url), geo=geo)
    headers = {"Link": f'<{next_url}>; rel="next"'} if style == "link" and next_url else {}
    return web.Response(
        body=orjson.dumps(body),
        content_type=GEOJSON if geo else "application/json",
        headers=headers,
    )


def _body(
    style: str,
    items: list[dict[str, Any]],
    total: int,
    page: Window,
    next_url: str | None,
    self_url: str,
    *,
    geo: bool,
) -> dict[str, Any]:
    body: dict[str, Any]
    if geo:
        body = {"type": "FeatureCollection", "features": [_feature(i) for i in items]}
    else:
        body = {"data": items}
    if style == "offset":
        body["meta"] = {"total": total, "limit": page.size, "offset": page.start}
    elif style == "page":
        pages = math.ceil(total / page.size)
        number = page.start // page.size + 1
        body["meta"] = {"total": total, "page": number, "pageSize": page.size, "pages": pages}
    elif style == "next":
        body["links"] = {"self": self_url, "next": next_url}
    return body


def _feature(item: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in item.items() if k not in ("id", "location")}
    return {
        "type": "Feature",
        "id": item["id"],
        "geometry": item["location"],
        "properties": properties,
    }


def _wants_geojson(accept: str | None) -> bool | None:
    if accept is None or not accept.strip():
        return False
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GEOJSON in kinds:
        return True
    if any(k in ("application/json", "application/*", "*/*") for k in kinds):
        return False
    return None


def _select(world: CityWorld, resource: Resource, params: Mapping[str, str]) -> list[Entity]:
    model = BY_TYPE[resource.type_name]
    entities: Iterable[Entity] = world.entities(model, world.bucket())
    after, before = _moment(params, "from"), _moment(params, "to")
    box = _bbox(params.get("bbox"))
    kept = []
    for entity in entities:
        observed = datetime.fromisoformat(_observed_text(entity))
        if after is not None and observed < after:
            continue
        if before is not None and observed >= before:
            continue
        if box is not None and not _meets(entity.geometry, box):
            continue
        kept.append(entity)
    return sorted(kept, key=lambda e: e.key)


def _observed_text(entity: Entity) -> str:
    value = entity.values.get("dateObserved")
    if isinstance(value, dict) and isinstance(value.get("@value"), str):
        return str(value["@value"])
    return entity.observed_at


def _moment(params: Mapping[str, str], name: str) -> datetime | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name}: {text!r} has no time zone")
    return moment


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(p) for p in text.split(","))
    except ValueError:
        raise ValueError(f"bbox: {text!r} is not minLon,minLat,maxLon,maxLat") from None
    if not all(map(math.isfinite, (west, south, east, north))) or west > east or south > north:
        raise ValueError(f"bbox: {text!r} is not minLon,minLat,maxLon,maxLat")
    return west, south, east, north


def _meets(geometry: Mapping[str, Any], box: tuple[float, float, float, float]) -> bool:
    coords = geometry["coordinates"]
    points = [coords] if geometry["type"] == "Point" else coords
    lons: list[float] = [p[0] for p in points]
    lats: list[float] = [p[1] for p in points]
    west, south, east, north = box
    return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south


def problem(status: int, detail: str) -> web.Response:
    """An RFC 7807 answer."""
    titles = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable"}
    body = {"type": "about:blank", "title": titles.get(status, "Error"), "status": status}
    body["detail"] = detail
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/problem+json"
    )
