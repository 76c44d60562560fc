"""The IoT Open Lynx REST API of one simulated city (the read side that integrations use).

Every request needs the installation's API key, as ``X-API-Key: <key>`` or
``Authorization: Bearer <key>``; without it: 401. Routes (``<iid>`` is the
installation id, the kommunkod as a number):

- ``GET /api/v2/installationinfo``: the installation;
- ``GET /api/v2/devicex/<iid>[/<id>]``, ``GET /api/v2/functionx/<iid>[/<id>]``
  (query parameters filter on metadata: ``?device_id=3``);
- ``GET /api/v2/status/<iid>?topics=a&topics=b`` (or ``topics=a,b``; none: every
  topic), or ``POST`` with a JSON array of topics when the URL would be too long
  (a query over 4096 characters is answered 414);
- ``GET /api/v3beta/log/<iid>?from=&to=&limit=&offset=&order=&topics=``: the log,
  ``{"total", "last", "count", "data"}``, ``from``/``to`` in Unix seconds (inclusive).

Errors are ``{"message": ...}`` with the status, as Lynx answers them.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from citysim.lynx.model import Installation
from citysim.world.city import CityWorld

DEMO_API_KEY = "citysim-lynx-demo-key"
"""The API key every simulated installation accepts (a demo value, not a secret)."""
MAX_QUERY = 4096
MAX_LIMIT = 10_000
INSTALLATION = web.AppKey("lynx_installation", Installation)
API_KEY = web.AppKey("lynx_api_key", str)

Handler = Callable[[web.Request], Awaitable[web.Response]]


class LynxError(Exception):
    """An error answer: status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def mount(app: web.Application, world: CityWorld, api_key: str = DEMO_API_KEY) -> None:
    """Add the Lynx routes to ``app``."""
    app[INSTALLATION] = Installation(world)
    app[API_KEY] = api_key
    routes = {
        "/api/v2/installationinfo": installation_info,
        "/api/v2/devicex/{iid}": devices,
        "/api/v2/devicex/{iid}/{id}": device,
        "/api/v2/functionx/{iid}": functions,
        "/api/v2/functionx/{iid}/{id}": function,
        "/api/v2/status/{iid}": status,
        "/api/v3beta/log/{iid}": log,
    }
    for path, handler in routes.items():
        app.router.add_get(path, _guarded(handler))
    app.router.add_post("/api/v2/status/{iid}", _guarded(status))


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.Response:
        try:
            _authenticate(request)
            return await handler(request)
        except LynxError as exc:
            return _json({"message": exc.message}, exc.status)

    return guarded


def _authenticate(request: web.Request) -> None:
    key = request.app[API_KEY]
    given = request.headers.get("X-API-Key")
    bearer = request.headers.get("Authorization", "")
    if given is None and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if given is None or not hmac.compare_digest(given.encode(), key.encode()):
        raise LynxError(401, "Unauthorized")


async def installation_info(request: web.Request) -> web.Response:
    """The installations this key may see: this city's."""
    return _json([request.app[INSTALLATION].info()])


async def devices(request: web.Request) -> web.Response:
    """Every DeviceX, filtered on metadata."""
    inst = _installation(request)
    found = [inst.device_json(d) for d in inst.devices()]
    return _json(_meta_filter(found, request))


async def device(request: web.Request) -> web.Response:
    """One DeviceX."""
    inst = _installation(request)
    wanted = _number(request.match_info["id"], "id")
    for d in inst.devices():
        if d.id == wanted:
            return _json(inst.device_json(d))
    raise LynxError(404, "Not found")


async def functions(request: web.Request) -> web.Response:
    """Every FunctionX, filtered on metadata."""
    inst = _installation(request)
    return _json(_meta_filter([f for _, _, f in inst.functions()], request))


async def function(request: web.Request) -> web.Response:
    """One FunctionX."""
    inst = _installation(request)
    wanted = _number(request.match_info["id"], "id")
    for _, _, f in inst.functions():
        if f["id"] == wanted:
            return _json(f)
    raise LynxError(404, "Not found")


async def status(request: web.Request) -> web.Response:
    """The latest value of each topic asked for (every topic when none is)."""
    inst = _installation(request)
    if request.method == "POST":
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            raise LynxError(400, "the body must be a JSON array of topics") from None
        if not isinstance(body, list) or not all(isinstance(t, str) for t in body):
            raise LynxError(400, "the body must be a JSON array of topics")
        topics: set[str] | None = set(body)
    else:
        if len(request.rel_url.raw_query_string) > MAX_QUERY:
            raise LynxError(414, "Request-URI Too Long")
        topics = _topics(request)
    entries = [e for e in inst.entries(inst.current()) if topics is None or e["topic"] in topics]
    return _json(entries)


async def log(request: web.Request) -> web.Response:
    """Log entries between ``from`` and ``to``, paged by ``limit`` and ``offset``."""
    inst = _installation(request)
    query = request.rel_url.query
    now = inst.world.clock()
    start = _float(query.get("from"), "from", now - 86_400)
    end = _float(query.get("to"), "to", now)
    limit = int(_float(query.get("limit"), "limit", 500))
    offset = int(_float(query.get("offset"), "offset", 0))
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise LynxError(400, "order must be asc or desc")
    if not 0 < limit <= MAX_LIMIT or offset < 0:
        raise LynxError(400, f"limit must be 1..{MAX_LIMIT} and offset >= 0")
    topics = _topics(request)
    entries = [
        e
        for e in inst.entries(inst.history())
        if start <= e["timestamp"] <= end and (topics is None or e["topic"] in topics)
    ]
    entries.sort(key=lambda e: (e["timestamp"], e["topic"]), reverse=order == "desc")
    page = entries[offset : offset + limit]
    last = page[-1]["timestamp"] if page else 0
    return _json({"total": len(entries), "last": last, "count": len(page), "data": page})


def _installation(request: web.Request) -> Installation:
    inst = request.app[INSTALLATION]
    if _number(request.match_info["iid"], "installation id") != inst.id:
        raise LynxError(403, "Forbidden")
    return inst


def _meta_filter(objects: list[dict[str, Any]], request: web.Request) -> list[dict[str, Any]]:
    wanted = dict(request.rel_url.query)
    return [o for o in objects if all(o["meta"].get(k) == v for k, v in wanted.items())]


def _topics(request: web.Request) -> set[str] | None:
    given = request.rel_url.query.getall("topics", [])
    topics = {t for value in given for t in value.split(",") if t}
    return topics or None


def _number(text: str, what: str) -> int:
    if not text.isdigit():
        raise LynxError(400, f"{what} must be a number")
    return int(text)


def _float(text: str | None, what: str, default: float) -> float:
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise LynxError(400, f"{what} must be a number") from None
    if not math.isfinite(value):
        raise LynxError(400, f"{what} must be a number")
    return value


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
