"""One ``GET`` to a catalogue, with every failure turned into an ``adapters.errors`` error.

Redirects are not followed (a redirect to another host could leak headers);
messages carry the HTTP status, never a header value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import aiohttp
from yarl import URL

from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200 answer: its body and content type (lower case, no parameters)."""

    body: bytes
    content_type: str
    status: int = 200


async def get(
    session: aiohttp.ClientSession,
    url: URL,
    headers: Mapping[str, str] | None = None,
    *,
    what: str = "the catalogue",
    accept_status: Iterable[int] = (200,),
) -> Answer:
    """Fetch ``url``; a status outside ``accept_status`` raises an ``UpstreamError``."""
    try:
        async with session.get(url, headers=headers, allow_redirects=False) as resp:
            body = await _read(resp)
            status, content_type = resp.status, resp.content_type.lower()
    except TimeoutError:
        raise UpstreamTimeout(f"{what} did not answer in time") from None
    except aiohttp.ClientConnectorError:
        raise UpstreamUnavailable(f"cannot connect to {what}") from None
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
        raise UpstreamUnavailable(f"{what} dropped the connection") from None
    except (aiohttp.ClientOSError, ConnectionError):
        raise UpstreamUnavailable(f"connection to {what} failed") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError(f"request to {what} failed: {type(exc).__name__}") from None
    if status not in tuple(accept_status):
        raise status_error(status, what)
    return Answer(body, content_type, status)


def status_error(status: int, what: str) -> UpstreamError:
    """The error for an unexpected status."""
    message = f"{what} answered HTTP {status}"
    if status == 503:
        return UpstreamUnavailable(message, status=status)
    if 300 <= status < 400:
        return UpstreamError(f"{message} (redirects are not followed)", status=status)
    if 200 <= status < 300:
        return UpstreamProtocolError(f"{message}, expected 200", status=status)
    return UpstreamError(message, status=status)


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
