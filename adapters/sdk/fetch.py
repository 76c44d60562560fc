"""One HTTP request for a JSON document, every failure turned into an ``adapters.errors`` error.

::

    no answer in time                  -> UpstreamTimeout
    refused, reset, dropped, 503, 429  -> UpstreamUnavailable (``retry_after_s`` from Retry-After)
    3xx (never followed), 4xx, 5xx     -> UpstreamError with ``status``
    not JSON, wrong content type, too large, unexpected 2xx -> UpstreamProtocolError

``request_json`` asks for JSON; ``fetch`` for any body (an RDF document), with the
same errors, and may accept further statuses (an API's error envelopes).

Messages carry the HTTP status and what the platform said (ProblemDetails
``title``/``detail``, or a ``message``/``error`` member), with every secret
blanked out; never a header value, never a URL with its query.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from yarl import URL

from adapters.budget import AnswerBudget, Lease
from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.http import retry_after_seconds

JSON_TYPES = frozenset({"application/json", "application/ld+json", "application/geo+json"})
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_MAX_DETAIL = 300


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer as it came: status, body, content type (lower case, no parameters), headers."""

    status: int
    body: bytes
    content_type: str
    headers: CIMultiDictProxy[str]
    url: URL


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """A parsed JSON answer, its headers and the URL it answered."""

    data: Any
    headers: CIMultiDictProxy[str]
    url: URL

    @property
    def cache_control(self) -> str | None:
        """The answer's ``Cache-Control`` header, for ``SourceResult.cache_control``."""
        return self.headers.get("Cache-Control")


async def request_json(
    session: aiohttp.ClientSession,
    url: URL,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    secrets: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    peer: str = "the platform",
    budget: AnswerBudget | None = None,
) -> JsonAnswer:
    """Send one request and return its JSON answer; raise an ``UpstreamError`` subclass.

    ``peer`` names the platform in messages ("the SensorThings server"); redirects
    are never followed; a body over ``max_bytes`` is refused, and so is one over what is
    left of ``budget`` (held until the body is parsed).
    """
    data = None if json_body is None else orjson.dumps(json_body)
    send = headers
    if data is not None:
        send = {**(headers or {})}
        send.setdefault("Content-Type", "application/json")
    with _lease(budget) as lease:
        answer = await _fetch(
            session,
            url,
            method=method,
            headers=send,
            data=data,
            secrets=secrets,
            max_bytes=max_bytes,
            peer=peer,
            accept_status=(200,),
            lease=lease,
        )
        if answer.content_type not in JSON_TYPES:
            raise UpstreamProtocolError(
                f"expected a JSON answer from {peer}, got content type {answer.content_type!r}",
                status=answer.status,
            )
        return JsonAnswer(parse_json(answer.body, peer), answer.headers, url)


async def fetch(
    session: aiohttp.ClientSession,
    url: URL,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
    secrets: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    peer: str = "the platform",
    accept_status: Collection[int] = (200,),
    budget: AnswerBudget | None = None,
) -> Answer:
    """Send one request and return its answer, whatever its content type (RDF, say).

    A status outside ``accept_status`` raises ``status_error``; every other failure
    the error ``request_json`` raises for it. Redirects are never followed. ``budget``
    is held while the body is read.
    """
    with _lease(budget) as lease:
        return await _fetch(
            session,
            url,
            method=method,
            headers=headers,
            data=data,
            secrets=secrets,
            max_bytes=max_bytes,
            peer=peer,
            accept_status=accept_status,
            lease=lease,
        )


def _lease(budget: AnswerBudget | None) -> AbstractContextManager[Lease | None]:
    return budget.lease() if budget is not None else nullcontext()


async def _fetch(
    session: aiohttp.ClientSession,
    url: URL,
    *,
    method: str,
    headers: Mapping[str, str] | None,
    data: bytes | None,
    secrets: Iterable[str],
    max_bytes: int,
    peer: str,
    accept_status: Collection[int],
    lease: Lease | None,
) -> Answer:
    try:
        async with session.request(
            method, url, headers=headers, data=data, allow_redirects=False
        ) as resp:
            body = await read_body(resp, max_bytes, lease) if resp.status not in (204, 304) else b""
            status, answer_headers, content_type = resp.status, resp.headers, resp.content_type
    except TimeoutError:
        raise UpstreamTimeout(f"{peer} did not answer in time") from None
    except aiohttp.ClientConnectorError as exc:
        raise UpstreamUnavailable(f"cannot connect to {peer}: {_reason(exc)}") from None
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise UpstreamUnavailable(f"{peer} dropped the connection: {_reason(exc)}") from None
    except (aiohttp.ClientOSError, ConnectionError) as exc:
        raise UpstreamUnavailable(f"connection to {peer} failed: {_reason(exc)}") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError(f"request to {peer} failed: {type(exc).__name__}") from None
    if status not in accept_status:
        retry_after = retry_after_seconds(answer_headers.get("Retry-After"))
        raise status_error(status, body, tuple(secrets), retry_after, peer=peer)
    return Answer(status, body, content_type.lower(), answer_headers, url)


async def read_body(
    resp: aiohttp.ClientResponse, max_bytes: int, lease: Lease | None = None
) -> bytes:
    """The whole body, refused as soon as it grows over ``max_bytes``, or over what
    ``lease``'s budget has left (its bytes are taken as they arrive, the joined copy too)."""
    too_large = f"the answer is larger than the adapter accepts ({max_bytes} bytes)"
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise UpstreamProtocolError(too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in resp.content.iter_chunked(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise UpstreamProtocolError(too_large)
            if lease is not None:
                lease.take(len(chunk))
            chunks.append(chunk)
    except BaseException:
        # the error's traceback keeps this frame alive: what was read must not live on with it
        chunks.clear()
        raise
    if lease is not None and len(chunks) > 1:
        lease.take(size)  # the joined copy, while the chunks still live
        body = b"".join(chunks)
        chunks.clear()
        lease.give_back(size)
        return body
    return b"".join(chunks)


def parse_json(body: bytes, peer: str = "the platform") -> Any:
    """The parsed body; not JSON (or empty) is a protocol error."""
    if not body.strip():
        raise UpstreamProtocolError(f"{peer} sent an empty answer where JSON was expected")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamProtocolError(f"the answer is not valid JSON ({exc.msg})") from None


def status_error(
    status: int,
    body: bytes,
    secrets: Iterable[str] = (),
    retry_after_s: float | None = None,
    *,
    peer: str = "the platform",
) -> UpstreamError:
    """The error for a non-200 answer: 503 and 429 unavailable, 3xx not followed, else an error."""
    said = error_text(body, secrets)
    suffix = f": {said}" if said else ""
    if status == 429:
        message = f"{peer} is rate limiting the gateway (HTTP 429){suffix}"
        return UpstreamUnavailable(message, status=status, retry_after_s=retry_after_s)
    message = f"{peer} answered HTTP {status}{suffix}"
    if status == 503:
        return UpstreamUnavailable(message, status=status, retry_after_s=retry_after_s)
    if 300 <= status < 400:
        return UpstreamError(f"{message} (redirects are not followed)", status=status)
    if 200 <= status < 300:
        return UpstreamProtocolError(f"{message}, expected 200", status=status)
    return UpstreamError(message, status=status)


def error_text(body: bytes, secrets: Iterable[str] = ()) -> str:
    """What an error body says: ProblemDetails ``title: detail``, else ``message`` or ``error``."""
    try:
        said = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(said, dict):
        return ""
    parts = [said.get(k) for k in ("title", "detail")]
    if not any(isinstance(p, str) and p.strip() for p in parts):
        nested = said.get("error")
        parts = [said.get("message"), nested.get("message") if isinstance(nested, dict) else nested]
    text = ": ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return redact(text, secrets)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret (as is and URL-encoded) blanked, printable, at most 300 chars."""
    for secret in secrets:
        if secret:
            for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret)}:
                text = text.replace(form, "***")
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def _reason(exc: BaseException) -> str:
    os_error = getattr(exc, "os_error", None)
    cause = os_error if isinstance(os_error, OSError) else exc
    text = getattr(cause, "strerror", None) or type(cause).__name__
    return str(text)
