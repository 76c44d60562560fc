"""The control API's routes for protection and request counts (mounted by ``control.py``).

``PUT /cities/{id}/protection`` with ``{"mode": "oauth2" | "api_key", ...}``
(``citysim.protection``) protects a city; ``DELETE`` opens it again;
``POST /cities/{id}/protection/revoke`` ends every token it issued.
``DELETE /cities/{id}/requests`` and ``DELETE /requests`` set request counts to zero.
Each answers with the city (or cities) as ``GET /cities/{id}`` shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
from aiohttp import web

from citysim.protection import ProtectionError, parse_protection
from citysim.server import CityServer

Lookup = Callable[[web.Request], CityServer]
"""The city a request names (a 400 for an unknown one)."""
Everyone = Callable[[web.Request], Iterable[CityServer]]


def mount(app: web.Application, city: Lookup, cities: Everyone) -> None:
    """Add the routes to the control application."""

    async def protect(request: web.Request) -> web.Response:
        server = city(request)
        try:
            protection = parse_protection(orjson.loads(await request.read()))
        except (orjson.JSONDecodeError, ProtectionError) as exc:
            message = str(exc) if isinstance(exc, ProtectionError) else "the body is not JSON"
            raise web.HTTPBadRequest(
                text=orjson.dumps({"error": message}).decode(), content_type="application/json"
            ) from None
        server.gate.set(protection)
        return _json(server.describe())

    async def open_city(request: web.Request) -> web.Response:
        server = city(request)
        server.gate.set(None)
        return _json(server.describe())

    async def revoke(request: web.Request) -> web.Response:
        server = city(request)
        return _json({"revoked": server.gate.revoke(), "city": server.describe()})

    async def reset(request: web.Request) -> web.Response:
        server = city(request)
        server.requests.reset()
        return _json(server.describe())

    async def reset_all(request: web.Request) -> web.Response:
        servers = list(cities(request))
        for server in servers:
            server.requests.reset()
        return _json({"cities": [server.describe() for server in servers]})

    app.router.add_put("/cities/{city}/protection", protect)
    app.router.add_delete("/cities/{city}/protection", open_city)
    app.router.add_post("/cities/{city}/protection/revoke", revoke)
    app.router.add_delete("/cities/{city}/requests", reset)
    app.router.add_delete("/requests", reset_all)


def _json(body: Any) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")
