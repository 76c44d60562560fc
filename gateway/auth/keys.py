"""The issuer's signing keys (JWKS): found, fetched, cached, refreshed and kept when it is down.

Keys come from the configured ``jwks_uri``, or from the ``jwks_uri`` of the
issuer's OpenID discovery document (whose ``issuer`` must be the configured one).
They are refetched after ``max_age_s``; a token whose ``kid`` is unknown forces
one refetch, at most once every ``min_refetch_s`` (so that tokens with made-up
key ids cannot hammer the issuer). When a fetch fails the last keys that were
fetched keep working; with no keys at all, tokens cannot be checked
(AuthUnavailable).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key

from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.federation.fields import auth_url_problem

log = logging.getLogger("caap.auth")

MAX_DOCUMENT_BYTES = 1_048_576
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


class FetchError(Exception):
    """A JWKS or discovery document that could not be fetched or used."""


class KeySource:
    """Signing keys of one issuer, fetched with ``session``; ``clock`` is monotonic seconds."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        issuer: str,
        jwks_uri: str | None = None,
        *,
        max_age_s: float = 300.0,
        min_refetch_s: float = 30.0,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._issuer = issuer
        self._jwks_uri = jwks_uri
        self._max_age_s = max_age_s
        self._min_refetch_s = min_refetch_s
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock
        self._keys: list[Key] | None = None
        self._fetched_at = 0.0
        self._last_attempt: float | None = None
        self._last_forced: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """JWKS fetches attempted so far (for metrics and tests)."""

    async def key_for(self, kid: str | None, alg: str) -> Key:
        """The key that signed a token with header ``kid`` and ``alg``.

        Raises InvalidToken when the issuer has no such key (after one refetch, if
        allowed now), AuthUnavailable when no keys could ever be fetched.
        """
        attempt = self._last_attempt
        keys = await self._current()
        found = _find(keys, kid, alg)
        if found is not None:
            return found
        just_fetched = self._last_attempt != attempt
        async with self._lock:
            found = _find(self._keys or [], kid, alg)  # another request may have refetched
            now = self._clock()
            if found is None and not just_fetched and self._may_force(now):
                self._last_forced = now
                found = _find(await self._refresh(keep_on_error=False), kid, alg)
        if found is None:
            raise InvalidToken("the token is signed with a key the issuer does not publish")
        return found

    def _may_force(self, now: float) -> bool:
        return self._last_forced is None or now - self._last_forced >= self._min_refetch_s

    async def _current(self) -> list[Key]:
        now = self._clock()
        if self._keys is not None and now - self._fetched_at < self._max_age_s:
            return self._keys
        if self._keys is not None and self._lock.locked():
            return self._keys  # another request is refreshing them: do not wait for it
        async with self._lock:
            now = self._clock()
            fresh = self._keys is not None and now - self._fetched_at < self._max_age_s
            recently_tried = (
                self._last_attempt is not None and now - self._last_attempt < self._min_refetch_s
            )
            if fresh or (self._keys is not None and recently_tried):
                return self._keys or []
            return await self._refresh(keep_on_error=True)

    async def _refresh(self, *, keep_on_error: bool) -> list[Key]:
        """Fetch the keys (lock held); on failure keep the last ones, or raise."""
        self._last_attempt = self._clock()
        self.fetches += 1
        try:
            keys = await self._fetch()
        except FetchError as exc:
            log.warning("cannot fetch the signing keys of %s: %s", self._issuer, exc)
            if self._keys is None:
                raise AuthUnavailable(
                    "the authorization server's signing keys cannot be fetched now"
                ) from None
            if not keep_on_error:
                raise AuthUnavailable(
                    "the token's key is unknown and the authorization server cannot be reached"
                ) from None
            return self._keys
        self._keys = keys
        self._fetched_at = self._clock()
        return keys

    async def _fetch(self) -> list[Key]:
        uri = self._jwks_uri or await self._discover()
        document = await self._get_json(uri)
        raw_keys = document.get("keys")
        if not isinstance(raw_keys, list):
            raise FetchError(f"{uri}: no 'keys' list")
        keys: list[Key] = []
        for raw in raw_keys:
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
                continue
            try:
                keys.append(JWKRegistry.import_key(raw))
            except (JoseError, ValueError, TypeError):
                continue  # RFC 7517, section 5: skip keys that cannot be used
        if not keys:
            raise FetchError(f"{uri}: no usable signing key")
        return keys

    async def _discover(self) -> str:
        """``jwks_uri`` of the issuer's OpenID configuration (kept once found)."""
        url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self._get_json(url)
        if document.get("issuer") != self._issuer:
            raise FetchError(f"{url}: 'issuer' is not {self._issuer}")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str) or auth_url_problem(uri) is not None:
            raise FetchError(f"{url}: 'jwks_uri' is missing or not an https URL")
        self._jwks_uri = uri
        return uri

    async def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            async with self._session.get(
                url, timeout=self._timeout, headers={"Accept": "application/json"}
            ) as response:
                if response.status != 200:
                    raise FetchError(f"{url}: HTTP {response.status}")
                body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FetchError(f"{url}: {type(exc).__name__}") from None
        if len(body) > MAX_DOCUMENT_BYTES:
            raise FetchError(f"{url}: larger than {MAX_DOCUMENT_BYTES} bytes")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise FetchError(f"{url}: not JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"{url}: not a JSON object")
        return document


def _find(keys: list[Key], kid: str | None, alg: str) -> Key | None:
    """The one key with ``kid`` (or the only key, without a kid) that can verify ``alg``."""
    usable = [k for k in keys if _fits(k, alg)]
    if kid is None:
        return usable[0] if len(usable) == 1 else None
    return next((k for k in usable if k.kid == kid), None)


def _fits(key: Key, alg: str) -> bool:
    declared = key.get("alg")
    if declared is not None and declared != alg:
        return False
    if alg.startswith(("RS", "PS")):
        return key.key_type == "RSA"
    if alg in _CURVES:
        return key.key_type == "EC" and key.get("crv") == _CURVES[alg]
    return False
