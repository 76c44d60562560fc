"""Access tokens from a city's authorization server by the client credentials grant
(RFC 6749 4.4), kept until shortly before they expire.

``TokenSource.token()`` answers from the kept token while it has more than a
quarter of its life, or 30 s, left; then one request (never several at once)
fetches the next. ``refused(token)`` is what a 401 from the platform calls: a new
token, unless another request has fetched one meanwhile. A refusal by the token
endpoint (``invalid_client``, ...) is an ``UpstreamAuthError`` and is remembered
for 30 s, so that a wrong secret does not send a request to the endpoint per query.
"""

from __future__ import annotations

import asyncio
import base64
import math
import urllib.parse
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from adapters.contract import AdapterContext
from adapters.credentials.config import OAuth2
from adapters.errors import (
    UpstreamAuthError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.http import new_session, retry_after_seconds
from adapters.sdk.config import Secret
from adapters.sdk.fetch import read_body

REFRESH_BEFORE_S = 30.0
"""A token is replaced this long before it expires (a quarter of its life, when shorter)."""
DEFAULT_LIFETIME_S = 300.0
"""How long a token without ``expires_in`` is used (a 401 replaces it sooner)."""
REFUSAL_HOLD_S = 30.0
"""After the endpoint refused the client, it is not asked again for this long."""
MAX_TOKEN_BYTES = 64 * 1024
PEER = "the token endpoint"
_ERROR_CODE = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and, on the adapter's clock, when to replace it."""

    value: Secret
    renew_at: float
    expires_at: float


class TokenSource:
    """The access tokens of one city's client; safe for concurrent use in one event loop."""

    def __init__(self, config: OAuth2, context: AdapterContext) -> None:
        self._config = config
        self._context = context
        self._clock = context.clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._refusal: tuple[float, UpstreamAuthError] | None = None
        self.fetched = 0
        """Tokens fetched so far (requests that got one)."""

    @property
    def current(self) -> AccessToken | None:
        """The token kept now, if any."""
        return self._token

    async def token(self) -> Secret:
        """A token with life left; fetched when there is none (one fetch at a time)."""
        kept = self._token
        if kept is not None and self._clock() < kept.renew_at:
            return kept.value
        async with self._lock:
            kept = self._token
            if kept is not None and self._clock() < kept.renew_at:
                return kept.value
            return await self._replace()

    async def refused(self, token: str) -> Secret:
        """The platform refused ``token``: a new one, unless it has been replaced already."""
        async with self._lock:
            kept = self._token
            if kept is not None and kept.value != token and self._clock() < kept.renew_at:
                return kept.value
            self._token = None
            return await self._replace()

    async def aclose(self) -> None:
        """Close the token endpoint's session; forget the token."""
        self._token = None
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _replace(self) -> Secret:
        now = self._clock()
        if self._refusal is not None:
            until, error = self._refusal
            if now < until:
                raise UpstreamAuthError(str(error), status=error.status)
            self._refusal = None
        try:
            self._token = await self._fetch()
        except UpstreamAuthError as exc:
            self._refusal = (self._clock() + REFUSAL_HOLD_S, exc)
            self._context.logger.warning("city %s: %s", self._context.city_id, exc)
            raise
        self.fetched += 1
        life = self._token.expires_at - now
        self._context.logger.info(
            "city %s: access token from %s, valid %.0f s",
            self._context.city_id,
            self._config.token_url.host,
            life,
        )
        return self._token.value

    async def _fetch(self) -> AccessToken:
        config = self._config
        form = {"grant_type": "client_credentials"}
        if config.scope is not None:
            form["scope"] = config.scope
        headers = {"Accept": "application/json"}
        if config.auth_method == "client_secret_basic":
            headers["Authorization"] = basic_credentials(config.client_id, config.client_secret)
        else:
            form.update(client_id=config.client_id, client_secret=config.client_secret)
        if self._session is None:
            self._session = new_session(self._context)
        started = self._clock()
        try:
            async with self._session.post(
                config.token_url, data=form, headers=headers, allow_redirects=False
            ) as resp:
                body = await read_body(resp, MAX_TOKEN_BYTES)
                status, retry_after = resp.status, resp.headers.get("Retry-After")
        except TimeoutError:
            raise UpstreamTimeout(f"{PEER} did not answer in time") from None
        except aiohttp.ClientConnectorError:
            raise UpstreamUnavailable(f"cannot connect to {PEER}") from None
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError, ConnectionError):
            raise UpstreamUnavailable(f"the connection to {PEER} failed") from None
        except aiohttp.ClientError as exc:
            raise UpstreamError(f"the request to {PEER} failed: {type(exc).__name__}") from None
        if status != 200:
            raise refusal(status, body, retry_after_seconds(retry_after))
        return parse_token(body, started)


def basic_credentials(client_id: str, secret: str) -> str:
    """``Authorization`` for client_secret_basic: both parts form-encoded (RFC 6749 2.3.1)."""
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def refusal(status: int, body: bytes, retry_after_s: float | None) -> UpstreamError:
    """The error for a token endpoint's non-200 answer; only a registered error code is quoted."""
    if status in (429, 503):
        return UpstreamUnavailable(
            f"{PEER} is unavailable (HTTP {status})", status=status, retry_after_s=retry_after_s
        )
    code = _error_code(body)
    if status in (400, 401, 403):
        said = f": {code}" if code else ""
        return UpstreamAuthError(
            f"{PEER} refused the gateway's client credentials{said} (HTTP {status})",
            status=status,
        )
    return UpstreamError(f"{PEER} answered HTTP {status}", status=status)


def parse_token(body: bytes, started: float) -> AccessToken:
    """An RFC 6749 5.1 answer as an ``AccessToken`` whose clock started at ``started``."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UpstreamProtocolError(f"{PEER} did not answer with JSON") from None
    if not isinstance(data, dict):
        raise UpstreamProtocolError(f"{PEER} did not answer with a JSON object")
    value = data.get("access_token")
    if not isinstance(value, str) or not value or not value.isprintable():
        raise UpstreamProtocolError(f"{PEER} answered without an access_token")
    kind = data.get("token_type", "Bearer")
    if not isinstance(kind, str) or kind.lower() != "bearer":
        raise UpstreamProtocolError(f"{PEER} issued a token that is not a Bearer token")
    life = _lifetime(data.get("expires_in"))
    margin = min(REFRESH_BEFORE_S, life / 4)
    return AccessToken(Secret(value), renew_at=started + life - margin, expires_at=started + life)


def _lifetime(value: object) -> float:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_LIFETIME_S
    if not 0 < value < math.inf:
        return DEFAULT_LIFETIME_S
    return float(value)


def _error_code(body: bytes) -> str | None:
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    code = data.get("error") if isinstance(data, dict) else None
    return code if code in _ERROR_CODE else None
