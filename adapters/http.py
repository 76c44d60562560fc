"""The HTTP client every adapter uses: one aiohttp session per city, built from the context.

The session carries the bounds and hooks the gateway set in ``AdapterContext``:
the connection limit, the total timeout, the user agent, and trace configs (the
gateway counts every request sent to a city through them); and the city's
upstream credentials, when it has some. It keeps no cookies (ADR 0028): a session
serves every user of the gateway, and a jar costs a look-up on every request.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp

from adapters.contract import AdapterContext
from adapters.trace_hooks import folded


class SessionCredentials(Protocol):
    """What a session needs of a city's credentials (``adapters.credentials.Credentials``).

    Declared here, not imported, so that ``adapters.credentials`` (which fetches its
    tokens over a session of this module) and this module do not import each other.
    """

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values to blank out of what a platform says back."""
        ...

    async def middleware(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        """The aiohttp client middleware putting the credentials on a request."""
        ...

    async def aclose(self) -> None:
        """Release what the credentials hold (a token endpoint's session)."""
        ...


def new_session(
    context: AdapterContext,
    headers: Mapping[str, str] | None = None,
    *,
    credentials: SessionCredentials | None = None,
) -> aiohttp.ClientSession:
    """A session for one city's platform; call from a running event loop.

    With ``credentials`` (``adapters.credentials.Credentials``) every request to the
    platform carries them (aiohttp client middleware, aiohttp 3.12 or later).
    """
    extra: dict[str, Any] = {}
    if credentials is not None:
        extra["middlewares"] = (credentials.middleware,)
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=context.max_connections),
        timeout=aiohttp.ClientTimeout(total=context.timeout_s),
        headers={"User-Agent": context.user_agent, **(headers or {})},
        trace_configs=folded(context.trace_configs) or None,
        raise_for_status=False,
        cookie_jar=aiohttp.DummyCookieJar(),  # ADR 0028: a platform's cookies are not kept
        **extra,
    )


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header (RFC 9110 10.2.3) as seconds from ``now``; None if absent or bad.

    Either delta-seconds (``"120"``) or an HTTP-date; a date in the past is 0.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    wall = time.time() if now is None else now
    return max(0.0, moment.timestamp() - wall)
