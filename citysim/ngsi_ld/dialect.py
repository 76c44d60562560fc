"""Tenants, and the behaviours of one broker that departs from the standard: diwise.

Tenants (``NGSILD-Tenant``, GS CIM 009 clause 6.3.14): a request without the header
uses the default tenant; one naming a tenant the broker does not have gets
404 ``NonexistentTenant``. Every tenant sees the same entities here.

diwise's context broker (github.com/diwise/context-broker), as this middleware
imitates it: ``options`` may only be ``keyValues`` (anything else, or ``format``:
400 BadRequestData), the default representation is normalized, and a query its
authorisation refuses (here: a ``protected`` type without an ``Authorization``
header) is answered 404 ResourceNotFound, the same as a missing resource.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from citysim.ngsi_ld.problems import Problem, bad_request, not_found

Dialect = Literal["scorpio", "orion-ld", "stellio", "mintaka", "diwise"]
DIALECTS: tuple[Dialect, ...] = ("scorpio", "orion-ld", "stellio", "mintaka", "diwise")
TENANT = "NGSILD-Tenant"
NONEXISTENT_TENANT = "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"


def dialect_middleware(
    dialect: Dialect, tenants: frozenset[str], protected: frozenset[str]
) -> Middleware:
    """The middleware enforcing tenants and, for ``diwise``, its behaviours."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/ngsi-ld/"):
            return await handler(request)
        tenant = request.headers.get(TENANT)
        if tenant is not None and tenant not in tenants:
            raise Problem(
                404, NONEXISTENT_TENANT, "Non Existent Tenant", f"tenant {tenant!r} does not exist"
            )
        if dialect == "diwise":
            _diwise(request, protected)
        return await handler(request)

    return middleware


def _diwise(request: web.Request, protected: frozenset[str]) -> None:
    query = request.rel_url.query
    if "format" in query:
        raise bad_request("format", "unknown parameter")
    options = query.get("options")
    if options is not None and options != "keyValues":
        raise bad_request("options", "no options besides keyValues are supported")
    types = set(query.get("type", "").split(","))
    if types & protected and "Authorization" not in request.headers:
        raise not_found("no entities found")


DIWISE_CITIES = frozenset({"sundsvall"})
"""Cities whose simulated broker speaks the diwise dialect (diwise comes from Sundsvall)."""


def dialect_for(city_id: str) -> Dialect:
    """The dialect of ``city_id``'s broker."""
    return "diwise" if city_id in DIWISE_CITIES else "scorpio"
