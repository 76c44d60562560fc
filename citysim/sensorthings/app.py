"""The SensorThings API 1.1 (OGC 18-088, Sensing part, read-only) of one simulated city.

Mounted on the city's port under ``/v1.1``:

- ``GET /v1.1``: the service root (entity sets and the conformance classes);
- ``GET /v1.1/<Set>``, ``/<Set>(<id>)``, and navigation paths such as
  ``/Things(3)/Datastreams`` or ``/Datastreams(33)/Observations``;
- ``/<Set>(<id>)/<property>`` and ``.../<property>/$value``.

Query options: ``options.py``; expressions: ``expressions.py`` and ``evaluate.py``;
rendering: ``render.py``. Errors are JSON ``{"code", "type": "error", "message"}``
(400 for a bad request, 404 for what does not exist), as FROST answers.
``dialect`` (``dialect.py``): FROST's ways (the default) or istSOS4's.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from aiohttp import web

from citysim.sensorthings.dialect import Dialect, NotAccepted, as_istsos4, check
from citysim.sensorthings.graph import Graph
from citysim.sensorthings.nodes import ENTITY_SETS, NAVIGATION, SET_OF, Node, all_nodes, find
from citysim.sensorthings.options import OptionProblem, Options, parse_options
from citysim.sensorthings.render import collection, entity
from citysim.world.city import CityWorld

ROOT = "/v1.1"
WORLD = web.AppKey("sensorthings_world", CityWorld)
DIALECT = web.AppKey("sensorthings_dialect", str)
CONFORMANCE = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
)
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z$]+)(?:\((?P<id>\d+|'[^']*')\))?$")


class NotFound(Exception):
    """Nothing at this path."""


def mount(app: web.Application, world: CityWorld, dialect: Dialect = "frost") -> None:
    """Add ``/v1.1`` and everything under it to ``app``, speaking ``dialect``."""
    app[WORLD] = world
    app[DIALECT] = dialect
    app.router.add_get(ROOT, service_root)
    app.router.add_get(ROOT + "/", service_root)
    app.router.add_get(ROOT + "/{path:.+}", resource)


async def service_root(request: web.Request) -> web.Response:
    """The entity sets and what this server conforms to."""
    base = _base(request)
    body = {
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITY_SETS],
        "serverSettings": {"conformance": list(CONFORMANCE)},
    }
    return _json(body)


async def resource(request: web.Request) -> web.StreamResponse:
    """A collection, an entity, or a property, at a resource path."""
    try:
        response = _answer(request)
    except NotAccepted as exc:
        return _error(exc.status, str(exc))
    except OptionProblem as exc:
        return _error(400, str(exc))
    except NotFound as exc:
        return _error(404, str(exc))
    if request.app[DIALECT] == "istsos4" and isinstance(response, web.Response):
        return await _chunked(request, response)
    return response


async def _chunked(request: web.Request, answer: web.Response) -> web.StreamResponse:
    """``answer`` sent with chunked transfer encoding (no length, no ETag), as istSOS4 does."""
    response = web.StreamResponse(status=answer.status)
    response.content_type = answer.content_type
    response.enable_chunked_encoding()
    await response.prepare(request)
    body = answer.body
    if isinstance(body, bytes):
        await response.write(body)
    await response.write_eof()
    return response


def _answer(request: web.Request) -> web.StreamResponse:
    world = request.app[WORLD]
    graph = Graph(world, world.bucket())
    base = _base(request)
    segments = request.match_info["path"].rstrip("/").split("/")
    target, entity_type, rest = _walk(graph, segments)
    url = f"{base}/{'/'.join(segments)}"
    if rest:
        return _property(target, rest)
    options = parse_options(request.rel_url.query, entity_type)
    istsos4 = request.app[DIALECT] == "istsos4"
    if istsos4:
        check(options, entity_type)
    if isinstance(target, list):
        body = collection(target, options, base, url)
    else:
        _single(options)
        body = entity(target, options, base)
    return _json(as_istsos4(body) if istsos4 else body)


def _walk(graph: Graph, segments: list[str]) -> tuple[Node | list[Node], str, list[str]]:
    """Follow the path; returns the target, its entity type, and trailing property segments."""
    first = _SEGMENT.match(segments[0])
    if first is None or first["name"] not in ENTITY_SETS:
        raise NotFound(f"no entity set {segments[0]!r} (sets: {', '.join(ENTITY_SETS)})")
    entity_type = ENTITY_SETS[first["name"]]
    target: Node | list[Node]
    if first["id"] is not None:
        found = find(graph, entity_type, _id(first["id"]))
        if found is None:
            raise NotFound(f"{segments[0]} does not exist")
        target = found
    else:
        target = all_nodes(graph, entity_type)
    for i, segment in enumerate(segments[1:], start=1):
        match = _SEGMENT.match(segment)
        if isinstance(target, list) or match is None:
            raise OptionProblem(f"path: {segment!r} cannot follow {segments[i - 1]!r}")
        nav = NAVIGATION[target.type].get(match["name"])
        if nav is None:
            return target, entity_type, segments[i:]
        entity_type = nav[0]
        following = target.navigate(match["name"])
        if following is None:
            raise NotFound(f"{'/'.join(segments[: i + 1])} does not exist")
        if match["id"] is not None:
            if not isinstance(following, list):
                raise OptionProblem(f"path: {match['name']} is not a collection")
            wanted = _id(match["id"])
            picked = [n for n in following if n.id == wanted]
            if not picked:
                raise NotFound(f"{'/'.join(segments[: i + 1])} does not exist")
            following = picked[0]
        target = following
    return target, entity_type, []


def _property(target: Node | list[Node], rest: list[str]) -> web.Response:
    if isinstance(target, list) or len(rest) > 2 or (len(rest) == 2 and rest[1] != "$value"):
        raise OptionProblem(f"path: {'/'.join(rest)!r} is not a property of an entity")
    name = rest[0]
    properties = target.properties()
    if name not in properties and name not in ("@iot.id", "id"):
        raise NotFound(f"{SET_OF[target.type]}({target.id}) has no property {name!r}")
    value = target.id if name in ("@iot.id", "id") else properties[name]
    if len(rest) == 2:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        return web.Response(text=text, content_type="text/plain")
    return _json({name: value})


def _single(options: Options) -> None:
    if options.filter is not None or options.orderby or options.raw.keys() & {"$top", "$skip"}:
        raise OptionProblem("$filter, $orderby, $top and $skip apply to collections only")


def _id(text: str) -> int:
    if text.startswith("'"):
        text = text.strip("'")
    if not text.isdigit():
        raise NotFound(f"no entity has the id {text!r}")
    return int(text)


def _base(request: web.Request) -> str:
    return f"{request.url.origin()}{ROOT}"


def _json(body: Any) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")


def _error(status: int, message: str) -> web.Response:
    body = {"code": status, "type": "error", "message": message}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
