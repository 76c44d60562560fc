"""How the brokers citysim imitates depart from the strict v1.8 API (``scorpio``, the default).

Each dialect is a pair of hooks around the standard handlers: ``before`` rewrites or
refuses the request, ``after`` reshapes the answer. Behaviours that live deeper (the
instance cap of temporal answers, q on typed literals) are broker settings read by the
handlers (``Broker.temporal_limit``, ``Broker.typed_q``). Each module names the source
of every behaviour it imitates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

Before = Callable[[web.Request], web.Request]
After = Callable[[web.Request, web.StreamResponse], web.StreamResponse]


def unchanged(request: web.Request) -> web.Request:
    """The request as it came."""
    return request


def as_is(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The answer as the standard handlers gave it."""
    return response


@dataclass(frozen=True, slots=True)
class Rules:
    """The hooks of one dialect."""

    before: Before = unchanged
    after: After = as_is


def with_query(request: web.Request, query: dict[str, str]) -> web.Request:
    """``request`` with its URL query replaced by ``query``."""
    return request.clone(rel_url=request.rel_url.with_query(query))


def is_query(request: web.Request, *, temporal: bool) -> bool:
    """A GET on the collection: Query Entities (or Query Temporal Evolution)."""
    path = request.path.rstrip("/")
    wanted = "/ngsi-ld/v1/temporal/entities" if temporal else "/ngsi-ld/v1/entities"
    return request.method == "GET" and path == wanted


def is_temporal(request: web.Request) -> bool:
    """Any request on the temporal API."""
    return request.path.startswith("/ngsi-ld/v1/temporal/")
