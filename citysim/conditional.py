"""Conditional GET for the simulated platforms: a strong ETag on every 200 answer with a body,
and 304 Not Modified when ``If-None-Match`` names it (RFC 9110 8.8.3, 13.1.2).

The tag is a hash of the body, so it changes exactly when the answer does (with the
time bucket of the data, or another page).
"""

from __future__ import annotations

import hashlib

from aiohttp import web
from aiohttp.typedefs import Handler


@web.middleware
async def conditional(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Tag 200 answers to GET; answer 304 when the client already holds this one."""
    response = await handler(request)
    if request.method != "GET" or response.status != 200 or not isinstance(response, web.Response):
        return response
    body = response.body
    if not isinstance(body, bytes):
        return response
    tag = etag_of(body)
    if matches(request.headers.get("If-None-Match"), tag):
        return web.Response(status=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return response


def etag_of(body: bytes) -> str:
    """A strong entity tag for ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """True when the header lists ``tag`` (weak comparison) or is ``*``."""
    if if_none_match is None:
        return False
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False
