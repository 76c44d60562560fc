"""One ``GET`` of a query page, with every failure turned into an ``adapters.errors`` error.

Messages carry the HTTP status and the broker's ProblemDetails title/detail,
never a header value or a URL with its query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from yarl import URL

from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.http import retry_after_seconds
from adapters.ngsi_ld.geojson import feature_entities

RESULTS_COUNT = "NGSILD-Results-Count"
JSON_TYPES = frozenset({"application/json", "application/ld+json", "application/geo+json"})
MAX_BODY_BYTES = 32 * 1024 * 1024
_MAX_DETAIL = 300

_LINK_VALUE = re.compile(r"<(?P<ref>.*?)>\s*(?P<params>(?:;[^,]*)?)\s*(?:,\s*|$)")
"""One link-value of a Link header; the reference may hold ``>`` or ``,`` (lax brokers)."""
_REL = re.compile(r';\s*rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s;,]+))', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Page:
    """One answer to a query: its entities (raw), the reported total, the next page.

    ``not_modified``: the broker answered 304 to ``If-None-Match`` (nothing else is set).
    """

    entities: list[Any]
    total_count: int | None
    next_url: URL | None
    etag: str | None = None
    cache_control: str | None = None
    not_modified: bool = False


async def get_page(
    session: aiohttp.ClientSession,
    url: URL,
    headers: Mapping[str, str] | None = None,
    *,
    secrets: Iterable[str] = (),
    max_bytes: int = MAX_BODY_BYTES,
    if_none_match: str | None = None,
) -> Page:
    """Fetch and check one page; raise an ``UpstreamError`` subclass on any failure.

    ``headers`` are added to the session's; ``secrets`` (header values) are blanked
    out of anything the broker says back; a body over ``max_bytes`` is refused.
    With ``if_none_match`` (an ETag) a 304 answer is a ``Page`` with ``not_modified``.
    """
    if if_none_match is not None:
        headers = {**(headers or {}), "If-None-Match": if_none_match}
    try:
        async with session.get(url, headers=headers, allow_redirects=False) as resp:
            body = await _read(resp, max_bytes) if resp.status not in (204, 304) else b""
            status, answer_headers = resp.status, resp.headers
            content_type = resp.content_type
    except TimeoutError:
        raise UpstreamTimeout("the broker did not answer in time") from None
    except aiohttp.ClientConnectorError as exc:
        raise UpstreamUnavailable(f"cannot connect to the broker: {_reason(exc)}") from None
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise UpstreamUnavailable(f"the broker dropped the connection: {_reason(exc)}") from None
    except (aiohttp.ClientOSError, ConnectionError) as exc:
        raise UpstreamUnavailable(f"connection to the broker failed: {_reason(exc)}") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError(f"request to the broker failed: {type(exc).__name__}") from None
    if status == 304 and if_none_match is not None:
        return Page([], None, None, etag=answer_headers.get("ETag"), not_modified=True)
    if status != 200:
        retry_after = retry_after_seconds(answer_headers.get("Retry-After"))
        raise status_error(status, body, secrets, retry_after)
    if content_type not in JSON_TYPES:
        raise UpstreamProtocolError(
            f"expected a JSON answer, got content type {content_type!r}", status=status
        )
    return Page(
        entities=entity_list(body),
        total_count=results_count(answer_headers.get(RESULTS_COUNT)),
        next_url=next_link(answer_headers.getall("Link", ()), url),
        etag=answer_headers.get("ETag"),
        cache_control=answer_headers.get("Cache-Control"),
    )


async def _read(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    too_large = f"the answer is larger than the adapter accepts ({max_bytes} bytes)"
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise UpstreamProtocolError(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > max_bytes:
            raise UpstreamProtocolError(too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def status_error(
    status: int, body: bytes, secrets: Iterable[str] = (), retry_after_s: float | None = None
) -> UpstreamError:
    """The error for a non-200 answer: 503 and 429 unavailable (with their ``Retry-After``),
    else an upstream error."""
    problem = problem_text(body, secrets)
    message = f"the broker answered HTTP {status}" + (f": {problem}" if problem else "")
    if status in (429, 503):
        if status == 429:
            message = "the broker is rate limiting the gateway (HTTP 429)" + (
                f": {problem}" if problem else ""
            )
        return UpstreamUnavailable(message, status=status, retry_after_s=retry_after_s)
    if 300 <= status < 400:
        return UpstreamError(f"{message} (redirects are not followed)", status=status)
    if 200 <= status < 300:
        return UpstreamProtocolError(f"{message}, expected 200", status=status)
    return UpstreamError(message, status=status)


def problem_text(body: bytes, secrets: Iterable[str] = ()) -> str:
    """``title: detail`` of an RFC 7807 ProblemDetails body, or "" if there is none."""
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
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def entity_list(body: bytes) -> list[Any]:
    """The JSON array of a query answer (its items are checked when mapped); a GeoJSON
    FeatureCollection gives its features as entities."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamProtocolError(f"the answer is not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return feature_entities(data)
    if not isinstance(data, list):
        got = "an object" if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        raise UpstreamProtocolError(f"expected a JSON array of entities, got {got}")
    return data


def results_count(value: str | None) -> int | None:
    """``NGSILD-Results-Count`` as a number, or None when absent or malformed."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def next_link(headers: Iterable[str], base: URL) -> URL | None:
    """The ``rel="next"`` target among Link headers, resolved against ``base``."""
    for header in headers:
        for match in _LINK_VALUE.finditer(header):
            for rel in _REL.finditer(match["params"]):
                rels = (rel["quoted"] or rel["bare"] or "").lower().split()
                if "next" in rels:
                    try:
                        return base.join(URL(match["ref"].strip()))
                    except ValueError:
                        raise UpstreamProtocolError("the next-page link is not a URL") from None
    return None


def _reason(exc: BaseException) -> str:
    os_error = getattr(exc, "os_error", None)
    cause = os_error if isinstance(os_error, OSError) else exc
    text = getattr(cause, "strerror", None) or type(cause).__name__
    return str(text)
