"""How many requests reached a simulated city, in total and per entity type.

Every request that arrives is counted, whatever then happens to it (a fault, a
refusal, a 404). The entity type is counted where the protocol names it:
NGSI-LD (``type=`` of a query, the type part of a ``urn:ngsi-ld:<Type>:...`` id)
and the REST/JSON API (its resource); SensorThings, Lynx, the catalogues and the
token endpoint count in ``total`` only. The control API shows the counts
(``GET /cities/{id}``: ``requests: {total, by_type}``) and resets them
(``DELETE /cities/{id}/requests``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from citysim.rest_json.resources import RESOURCES

NGSI_LD_PATHS = ("/ngsi-ld/v1/entities", "/ngsi-ld/v1/temporal/entities")
REST_PREFIX = "/api/"


class RequestCounter:
    """The requests of one city since it started, or since the last ``reset``."""

    def __init__(self) -> None:
        self.total = 0
        self.by_type: Counter[str] = Counter()

    def count(self, request: web.BaseRequest) -> None:
        """Count one request that arrived."""
        self.total += 1
        self.by_type.update(entity_types(request))

    def reset(self) -> None:
        """Back to zero."""
        self.total = 0
        self.by_type.clear()

    def describe(self) -> dict[str, Any]:
        """``{"total": n, "by_type": {type: n}}``."""
        return {"total": self.total, "by_type": dict(sorted(self.by_type.items()))}

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count, then let the request go on (mount it outermost)."""
        self.count(request)
        return await handler(request)


def entity_types(request: web.BaseRequest) -> list[str]:
    """The entity types a request asks for, where its protocol names them."""
    path = request.path.rstrip("/")
    for root in NGSI_LD_PATHS:
        if path == root:
            names = request.rel_url.query.get("type", "")
            return [_short(name) for name in names.split(",") if name.strip()]
        if path.startswith(root + "/"):
            parts = path[len(root) + 1 :].split(":")
            return [parts[2]] if len(parts) > 3 and parts[:2] == ["urn", "ngsi-ld"] else []
    if path.startswith(REST_PREFIX) and "/" not in path[len(REST_PREFIX) :]:
        resource = RESOURCES.get(path[len(REST_PREFIX) :])
        return [resource.type_name] if resource is not None else []
    return []


def _short(name: str) -> str:
    """A type named by an IRI as its last segment (``.../WeatherObserved``)."""
    name = name.strip()
    return name.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if ":" in name else name
