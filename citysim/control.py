"""The fault control API: make a simulated city misbehave, heal it, see who is doing what.

``GET /cities``: every city with its base URL and current fault, and the fault modes.
``GET /cities/{id}``: one city. ``PUT /cities/{id}/fault`` with ``{"mode": ..., params}``:
switch that fault on (replacing any other). ``DELETE /cities/{id}/fault``: heal.
``GET /modes``: the modes and their parameters. ``POST /cities/{id}/tick`` (or ``POST /tick``,
every city): push the world as it is now on every push channel, changed or not
(``citysim.changes``); answers ``{"pushed": messages}``. ``GET /cities/{id}`` shows
``subscriptions``: the NGSI-LD subscriptions active on the city's broker. Protection and
request counts: ``control_gate.py``. Answers are JSON; a bad request is a
400 ``{"error": "..."}`` saying what is wrong (unknown city: the known ones; unknown
mode: the known modes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from citysim import control_gate
from citysim.faults import MODES, FaultError, parse_fault
from citysim.server import CityServer

CITIES = web.AppKey("cities", Mapping[str, CityServer])


def create_control_app(cities: Mapping[str, CityServer]) -> web.Application:
    """The control application over ``cities`` (id -> server)."""
    app = web.Application()
    app[CITIES] = cities
    app.router.add_get("/cities", list_cities)
    app.router.add_get("/cities/{city}", show_city)
    app.router.add_put("/cities/{city}/fault", put_fault)
    app.router.add_delete("/cities/{city}/fault", delete_fault)
    app.router.add_get("/modes", list_modes)
    app.router.add_post("/cities/{city}/tick", tick_city)
    app.router.add_post("/tick", tick_all)
    control_gate.mount(app, _city, lambda request: request.app[CITIES].values())
    return app


def modes() -> dict[str, dict[str, str]]:
    """Mode -> its parameters and what they mean."""
    return {name: dict(cls.parameters) for name, cls in MODES.items()}


async def list_cities(request: web.Request) -> web.Response:
    """Every city, its URL and fault."""
    cities = request.app[CITIES]
    return _json({"cities": [server.describe() for server in cities.values()], "modes": modes()})


async def show_city(request: web.Request) -> web.Response:
    """One city."""
    return _json(_city(request).describe())


async def put_fault(request: web.Request) -> web.Response:
    """Switch a fault on."""
    server = _city(request)
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise _bad('the body is not JSON; send e.g. {"mode": "down"}') from None
    try:
        fault = parse_fault(body)
    except FaultError as exc:
        raise _bad(str(exc)) from None
    await server.set_fault(fault)
    return _json(server.describe())


async def delete_fault(request: web.Request) -> web.Response:
    """Heal a city (no fault is fine too)."""
    server = _city(request)
    await server.set_fault(None)
    return _json(server.describe())


async def tick_city(request: web.Request) -> web.Response:
    """Push one city's world on its push channels now."""
    return _json({"pushed": await _city(request).changes.tick(force=True)})


async def tick_all(request: web.Request) -> web.Response:
    """Push every city's world on its push channels now."""
    servers = request.app[CITIES].values()
    return _json({"pushed": sum([await s.changes.tick(force=True) for s in servers])})


async def list_modes(request: web.Request) -> web.Response:
    """The fault modes and their parameters."""
    return _json(modes())


def _city(request: web.Request) -> CityServer:
    cities = request.app[CITIES]
    city_id = request.match_info["city"]
    server = cities.get(city_id)
    if server is None:
        raise _bad(f"unknown city {city_id!r} (known: {', '.join(cities)})")
    return server


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=orjson.dumps({"error": message}).decode(), content_type="application/json"
    )


def _json(body: Any) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")
