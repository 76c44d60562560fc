"""The body of a write request and the @context it is to be read with (GS CIM 009 6.3.5).

``application/json``: the @context comes from the ``Link`` header (core context when
none) and the body must not hold one. ``application/ld+json``: the body holds the
@context and there is no ``Link`` header. ``application/merge-patch+json`` reads
like ``application/json``. Anything else: 415. A body that is not JSON: 400
InvalidRequest; a @context the broker cannot load: LdContextNotAvailable.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from citysim.jsonld import TermContext, UnknownContext, context_of, term_context
from citysim.ngsi_ld.ld_store import bad_data, invalid
from citysim.ngsi_ld.negotiation import context_url
from citysim.ngsi_ld.problems import Problem, context_not_available

MAX_BODY = 4 * 1024 * 1024
JSON_TYPES = ("application/json", "application/merge-patch+json")
LD_JSON = "application/ld+json"


async def read_payload(request: web.Request, *, batch: bool = False) -> tuple[Any, TermContext]:
    """The parsed body and its context; for ``batch`` each entity's own context is separate."""
    media = request.content_type
    if media not in (*JSON_TYPES, LD_JSON):
        raise Problem(
            415,
            "about:blank",
            "Unsupported Media Type",
            f"Content-Type {media!r}: use application/json or application/ld+json",
        )
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Problem(413, "about:blank", "Payload Too Large", f"at most {MAX_BODY} bytes")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid(f"the body is not JSON ({exc})") from None
    links = request.headers.getall("Link", [])
    if media == LD_JSON:
        if links and context_url(links) is not None:
            raise bad_data("Link: not allowed with Content-Type application/ld+json")
        if batch:
            return body, term_context(None)
        if not isinstance(body, dict) or "@context" not in body:
            raise bad_data("@context: needed in the body with Content-Type application/ld+json")
        return body, resolve(body["@context"])
    if batch:
        if isinstance(body, list) and any(isinstance(e, dict) and "@context" in e for e in body):
            raise bad_data("@context: not allowed in the body with Content-Type application/json")
    elif isinstance(body, dict) and "@context" in body:
        raise bad_data("@context: not allowed in the body with Content-Type application/json")
    url = context_url(links)
    try:
        return body, term_context(url)
    except UnknownContext:
        raise context_not_available(url or "") from None


def resolve(value: Any) -> TermContext:
    """The context of a ``@context`` member; problems become 400 / LdContextNotAvailable."""
    try:
        return context_of(value)
    except UnknownContext as exc:
        raise context_not_available(str(exc)) from None
    except ValueError as exc:
        raise bad_data(str(exc)) from None


def entity_context(entity: Any, fallback: TermContext, ld: bool) -> TermContext:
    """The context of one entity of a batch (its own ``@context`` with ld+json)."""
    if not ld:
        return fallback
    if not isinstance(entity, dict) or "@context" not in entity:
        raise bad_data("@context: every entity needs one with Content-Type application/ld+json")
    return resolve(entity["@context"])
