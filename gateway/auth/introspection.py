"""Opaque access tokens checked by the issuer (RFC 7662 token introspection) -> Principal.

The gateway authenticates to the introspection endpoint with its own client
credentials (HTTP Basic, RFC 6749 section 2.3.1). An answer is cached under a
hash of the token, never the token itself: an active token until it expires but
at most ``max_cache_s`` (so a revocation is seen within that time), an inactive
one for ``negative_cache_s``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from cachetools import TLRUCache

from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.auth.principal import Principal
from gateway.federation.model import IntrospectionConfig

log = logging.getLogger("caap.auth")

LEEWAY_S = 30


@dataclass(frozen=True, slots=True)
class _Answer:
    principal: Principal | None
    problem: str
    until: float


class Introspector:
    """Asks one RFC 7662 endpoint about tokens; ``clock`` is wall-clock seconds (like exp)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: IntrospectionConfig,
        issuer: str,
        audience: str,
        *,
        max_cache_s: float = 60.0,
        negative_cache_s: float = 10.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.time,
        cache_size: int = 10_000,
    ) -> None:
        self._session = session
        self._endpoint = config.endpoint
        self._authorization = _basic(config.client_id, config.client_secret)
        self._issuer = issuer
        self._audience = audience
        self._max_cache_s = max_cache_s
        self._negative_cache_s = negative_cache_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._cache: TLRUCache[str, _Answer] = TLRUCache(
            cache_size, ttu=lambda _k, answer, _now: answer.until, timer=clock
        )
        self.requests = 0
        """Introspection requests sent so far (for metrics and tests)."""

    def knows(self, token: str) -> bool:
        """True when ``token``'s answer is cached: judging it costs no request."""
        return _key(token) in self._cache

    async def principal(self, token: str) -> Principal:
        """The caller ``token`` stands for; InvalidToken when it is not active or not for us."""
        key = _key(token)
        answer = self._cache.get(key)
        if answer is None:
            answer = self._judge(await self._ask(token))
            self._cache[key] = answer
        if answer.principal is None:
            raise InvalidToken(answer.problem)
        return answer.principal

    async def _ask(self, token: str) -> Mapping[str, Any]:
        self.requests += 1
        try:
            async with self._session.post(
                self._endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                timeout=self._timeout,
                headers={"Accept": "application/json", "Authorization": self._authorization},
            ) as response:
                status = response.status
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("token introspection failed: %s", type(exc).__name__)
            raise AuthUnavailable("the token introspection endpoint cannot be reached") from None
        if status != 200:
            log.warning("token introspection answered HTTP %d", status)
            raise AuthUnavailable("the token introspection endpoint failed")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("active"), bool):
            log.warning("token introspection answered without a boolean 'active'")
            raise AuthUnavailable("the token introspection endpoint failed")
        return document

    def _judge(self, doc: Mapping[str, Any]) -> _Answer:
        now = self._clock()
        problem = _problem(doc, now, self._issuer, self._audience)
        if problem is not None:
            return _Answer(None, problem, now + self._negative_cache_s)
        scope = doc.get("scope")
        scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        sub, client = doc.get("sub"), doc.get("client_id")
        exp = doc.get("exp")
        principal = Principal(
            sub if isinstance(sub, str) else None,
            client if isinstance(client, str) else None,
            scopes,
            float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None,
        )
        until = now + self._max_cache_s
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            until = min(until, float(exp))
        return _Answer(principal, "", until)


def _problem(doc: Mapping[str, Any], now: float, issuer: str, audience: str) -> str | None:
    """Why an introspection answer does not admit the token; None when it does."""
    if doc.get("active") is not True:
        return "the token is not active (expired, revoked or unknown)"
    exp, nbf = doc.get("exp"), doc.get("nbf")
    if exp is not None and (not _number(exp) or exp <= now):
        return "the token has expired"
    if nbf is not None and (not _number(nbf) or nbf > now + LEEWAY_S):
        return "the token is not valid yet"
    if "iss" in doc and doc["iss"] != issuer:
        return "the token was issued by another issuer"
    aud = doc.get("aud")
    if aud is not None and audience != aud and not (isinstance(aud, list) and audience in aud):
        return "the token is meant for another audience"
    if doc.get("token_type", "access_token") not in ("access_token", "Bearer", "bearer"):
        return "the token is not an access token"
    if not isinstance(doc.get("sub"), str) and not isinstance(doc.get("client_id"), str):
        return "the token names neither a subject nor a client"
    return None


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _basic(client_id: str, secret: str) -> str:
    """HTTP Basic of the form-encoded client id and secret (RFC 6749, section 2.3.1)."""
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
