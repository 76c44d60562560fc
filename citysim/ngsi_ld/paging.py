"""``Link`` headers to the previous and next page of a query (GS CIM 009 clauses 4.12, 6.3.13).

A relative reference to the same resource (without a trailing slash) with the
query's parameters in name order, ``offset`` and ``limit`` set for the other page,
and the media type of the answer: ``</ngsi-ld/v1/entities?limit=1&offset=1&type=T>;
rel="next";type="application/json"``.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

_SAFE = ":/.*,;|()!$'@~+[]{}^"


def page_link(request: web.Request, offset: int, limit: int, rel: str, media: str) -> str:
    """The ``Link`` value to the page at ``offset``."""
    params = dict(request.rel_url.query)
    params.update(offset=str(offset), limit=str(limit))
    query = "&".join(
        f"{quote(k, safe=_SAFE)}={quote(v, safe=_SAFE)}" for k, v in sorted(params.items())
    )
    path = request.rel_url.path.rstrip("/")
    return f'<{path}?{query}>; rel="{rel}";type="{media}"'
