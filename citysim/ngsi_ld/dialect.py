"""Tenants, and which broker a simulated city imitates (its dialect).

Tenants (``NGSILD-Tenant``, GS CIM 009 clause 6.3.14): a request without the header
uses the default tenant; one naming a tenant the broker does not have gets
404 ``NonexistentTenant``. Every tenant sees the same entities here.

Dialects (``dialects/``): ``scorpio`` (the default: the strict v1.8 API), ``orion-ld``,
``stellio``, ``mintaka`` (Orion-LD's entity API with Mintaka's temporal API) and
``diwise``. ``SimSettings.city_dialect`` picks one per city; ``DEMO_DIALECTS`` is the
mix ``python -m citysim serve`` (the demo) runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from citysim.ngsi_ld.dialects import Rules, diwise, mintaka, orion_ld, stellio
from citysim.ngsi_ld.problems import Problem, not_found

Dialect = Literal["scorpio", "orion-ld", "stellio", "mintaka", "diwise"]
DIALECTS: tuple[Dialect, ...] = ("scorpio", "orion-ld", "stellio", "mintaka", "diwise")
TENANT = "NGSILD-Tenant"
NONEXISTENT_TENANT = "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"

RULES: Mapping[Dialect, Rules] = {
    "scorpio": Rules(),
    "orion-ld": orion_ld.RULES,
    "stellio": stellio.RULES,
    "mintaka": mintaka.RULES,
    "diwise": diwise.RULES,
}

TYPED_Q: Mapping[Dialect, bool] = {
    "scorpio": True,
    "orion-ld": False,
    "stellio": True,
    "mintaka": False,
    "diwise": True,
}
"""Whether ``q`` compares typed literals (DateTime values) by their type (orion_ld.py)."""

TEMPORAL_LIMITS: Mapping[Dialect, int] = {
    "scorpio": 10_000,
    "orion-ld": 10_000,
    "stellio": stellio.TEMPORAL_LIMIT,
    "mintaka": 10_000,
    "diwise": 10_000,
}
"""Instances per attribute in one temporal answer unless the settings say otherwise."""

DIWISE_CITIES = frozenset({"sundsvall"})
"""Cities whose simulated broker speaks the diwise dialect (diwise comes from Sundsvall)."""

DEMO_DIALECTS: Mapping[str, Dialect] = {
    "stockholm": "orion-ld",
    "karlskrona": "mintaka",
    "malmo": "stellio",
    "umea": "stellio",
    "skelleftea": "orion-ld",
    "sundsvall": "diwise",
}
"""The demo's mix; the other NGSI-LD cities (katrineholm, lund) run ``scorpio``."""


def dialect_for(city_id: str, chosen: Mapping[str, str] | None = None) -> Dialect:
    """The dialect of ``city_id``'s broker: ``chosen`` if it names the city, else the default."""
    name = (chosen or {}).get(city_id)
    for dialect in DIALECTS:
        if dialect == name:
            return dialect
    if name is not None:
        raise ValueError(f"dialect of {city_id} must be one of {', '.join(DIALECTS)}, got {name!r}")
    return "diwise" if city_id in DIWISE_CITIES else "scorpio"


def dialect_middleware(
    dialect: Dialect, tenants: frozenset[str], protected: frozenset[str]
) -> Middleware:
    """The middleware enforcing tenants and the dialect's departures from the standard."""
    rules = RULES[dialect]

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
            types = set(request.rel_url.query.get("type", "").split(","))
            if types & protected and "Authorization" not in request.headers:
                raise not_found("no entities found")
        changed = rules.before(request)
        return rules.after(changed, await handler(changed))

    return middleware
