"""One ``GET`` of a JSON page, with every failure turned into an ``adapters.errors`` error.

Redirects are not followed; messages carry the status and an RFC 7807 title/detail
(secrets blanked out), never a header value or a full URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from yarl import URL

from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

JSON_TYPES = frozenset({"application/json", "application/geo+json", "application/ld+json"})
MAX_BODY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class JsonPage:
    """A parsed answer and its headers."""

    body: Any
    headers: CIMultiDictProxy[str]


async def get_json(
    session: aiohttp.ClientSession, url: URL, *, secrets: Iterable[str] = ()
) -> JsonPage:
    """Fetch and parse ``url``; raise an ``UpstreamError`` subclass on any failure."""
    try:
        async with session.get(url, allow_redirects=False) as resp:
            body = await _read(resp)
            status, headers, content_type = resp.status, resp.headers, resp.content_type
    except TimeoutError:
        raise UpstreamTimeout("the API did not answer in time") from None
    except aiohttp.ClientConnectorError:
        raise UpstreamUnavailable("cannot connect to the API") from None
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
        raise UpstreamUnavailable("the API dropped the connection") from None
    except (aiohttp.ClientOSError, ConnectionError):
        raise UpstreamUnavailable("connection to the API failed") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError(f"request to the API failed: {type(exc).__name__}") from None
    if status != 200:
        raise _status_error(status, body, secrets)
    if content_type not in JSON_TYPES:
        raise UpstreamProtocolError(f"expected JSON, got content type {content_type!r}")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamProtocolError(f"the answer is not valid JSON ({exc.msg})") from None
    return JsonPage(data, headers)


def _status_error(status: int, body: bytes, secrets: Iterable[str]) -> UpstreamError:
    detail = _problem(body, secrets)
    message = f"the API answered HTTP {status}" + (f": {detail}" if detail else "")
    if status == 503:
        return UpstreamUnavailable(message, status=status)
    if 300 <= status < 400:
        return UpstreamError(f"{message} (redirects are not followed)", status=status)
    if 200 <= status < 300:
        return UpstreamProtocolError(f"{message}, expected 200", status=status)
    return UpstreamError(message, status=status)


def _problem(body: bytes, secrets: Iterable[str]) -> str:
    try:
        problem = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(problem, dict):
        return ""
    parts = [problem.get(k) for k in ("title", "detail")]
    text = ": ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = "".join(c if c.isprintable() else " " for c in text)
    return text[:300]


async def _read(resp: aiohttp.ClientResponse) -> bytes:
    if resp.content_length is not None and resp.content_length > MAX_BODY_BYTES:
        raise UpstreamProtocolError("the answer is larger than the adapter accepts")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise UpstreamProtocolError("the answer is larger than the adapter accepts")
        chunks.append(chunk)
    return b"".join(chunks)
