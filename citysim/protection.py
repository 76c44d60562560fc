"""A simulated city that wants callers to prove who they are: OAuth 2.0 or an API key.

Off by default. Switched on per city by ``SimSettings.protection`` or the control
API (``PUT /cities/{id}/protection``) with one of::

    {"mode": "oauth2", "client_id": "caap", "client_secret": "...", "token_ttl_s": 300}
    {"mode": "api_key", "header": "X-Api-Key", "key": "..."}     # or "query": "apikey"

With ``oauth2`` the city runs its own token endpoint, ``POST /oauth/token``
(RFC 6749 4.4: ``grant_type=client_credentials``, the client authenticated by
HTTP Basic or in the form), which issues opaque Bearer tokens living
``token_ttl_s`` seconds; every other request needs ``Authorization: Bearer`` with
a live one. A refused request gets 401 with ``WWW-Authenticate`` and a
ProblemDetails body. ``revoke()`` ends every token issued so far, as a city
rotating its secrets or restarting its server would.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a password)
Mode = Literal["oauth2", "api_key"]
_KEYS: Mapping[str, frozenset[str]] = {
    "oauth2": frozenset({"mode", "client_id", "client_secret", "token_ttl_s"}),
    "api_key": frozenset({"mode", "header", "query", "key"}),
}


class ProtectionError(ValueError):
    """A protection that cannot be: unknown mode, missing or bad parameter."""


@dataclass(frozen=True, slots=True)
class Protection:
    """What a city asks of its callers."""

    mode: Mode
    client_id: str = ""
    client_secret: str = ""
    token_ttl_s: float = 300.0
    header: str | None = None
    query: str | None = None
    key: str = ""

    def describe(self) -> dict[str, Any]:
        """The protection as the control API shows it: never a secret."""
        if self.mode == "oauth2":
            return {"mode": self.mode, "client_id": self.client_id, "token_ttl_s": self.token_ttl_s}
        where = {"header": self.header} if self.header else {"query": self.query}
        return {"mode": self.mode, **where}


def parse_protection(body: object) -> Protection:
    """The protection a control request or a setting asks for; raises ProtectionError."""
    if not isinstance(body, Mapping) or body.get("mode") not in _KEYS:
        raise ProtectionError('give {"mode": "oauth2" | "api_key", ...}')
    mode = body["mode"]
    unknown = sorted(set(body) - _KEYS[mode])
    if unknown:
        raise ProtectionError(f"{unknown[0]}: unknown for mode {mode} ({', '.join(_KEYS[mode])})")
    if mode == "oauth2":
        ttl = body.get("token_ttl_s", 300.0)
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 0 < ttl <= 86_400:
            raise ProtectionError("token_ttl_s must be a number of seconds in (0, 86400]")
        return Protection(
            "oauth2", _text(body, "client_id"), _text(body, "client_secret"), float(ttl)
        )
    if ("header" in body) == ("query" in body):
        raise ProtectionError("give exactly one of header and query")
    key = _text(body, "key")
    if "header" in body:
        return Protection("api_key", header=_text(body, "header"), key=key)
    return Protection("api_key", query=_text(body, "query"), key=key)


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or not value.isprintable():
        raise ProtectionError(f"{name} must be a non-empty string")
    return value


class Gate:
    """One city's protection at work: the request check, the token endpoint, the counts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.protection: Protection | None = None
        self._tokens: dict[str, float] = {}
        self.issued = 0
        """Tokens issued since the protection was switched on."""
        self.refused = 0
        """Requests refused since the protection was switched on."""

    def set(self, protection: Protection | None) -> None:
        """Switch to ``protection`` (None: open to all); earlier tokens end."""
        self.protection = protection
        self._tokens.clear()
        self.issued = self.refused = 0

    def revoke(self) -> int:
        """End every token issued so far; how many were still alive."""
        now = self._clock()
        alive = sum(1 for until in self._tokens.values() if until > now)
        self._tokens.clear()
        return alive

    def describe(self) -> dict[str, Any] | None:
        """What the control API shows: mode, where the credentials go, counts."""
        if self.protection is None:
            return None
        now = self._clock()
        alive = sum(1 for until in self._tokens.values() if until > now)
        counts = {"tokens_issued": self.issued, "tokens_alive": alive, "refused": self.refused}
        return {**self.protection.describe(), **counts}

    def mount(self, app: web.Application) -> None:
        """Add the token endpoint to a city's application."""
        app.router.add_post(TOKEN_PATH, self.token_endpoint)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Let a request through when the city is open or the request proves itself."""
        protection = self.protection
        if protection is None or request.path == TOKEN_PATH:
            return await handler(request)
        if self._proven(protection, request):
            if protection.query is not None:  # the API behind never sees the key
                url = request.rel_url.without_query_params(protection.query)
                return await handler(request.clone(rel_url=url))
            return await handler(request)
        self.refused += 1
        scheme = 'Bearer error="invalid_token"' if protection.mode == "oauth2" else "ApiKey"
        return _problem(401, "Unauthorized", "missing or invalid credentials", scheme)

    async def token_endpoint(self, request: web.Request) -> web.Response:
        """``POST /oauth/token``: a Bearer token for the registered client."""
        protection = self.protection
        if protection is None or protection.mode != "oauth2":
            return _problem(404, "Not Found", "this city issues no tokens")
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type")
        client = _client(request.headers.get("Authorization"), form)
        if client is None:
            return _oauth_error(400, "invalid_request")
        client_id, secret = client
        if not (
            hmac.compare_digest(client_id.encode(), protection.client_id.encode())
            and hmac.compare_digest(secret.encode(), protection.client_secret.encode())
        ):
            return _oauth_error(401, "invalid_client")
        token = secrets.token_urlsafe(32)
        self._tokens[token] = self._clock() + protection.token_ttl_s
        self.issued += 1
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(protection.token_ttl_s),
        }
        return web.Response(
            body=orjson.dumps(body),
            content_type="application/json",
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _proven(self, protection: Protection, request: web.Request) -> bool:
        if protection.mode == "api_key":
            if protection.header is not None:
                given = request.headers.get(protection.header, "")
            else:
                given = request.rel_url.query.get(protection.query or "", "")
            return hmac.compare_digest(given.encode(), protection.key.encode())
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        until = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        return until is not None and self._clock() < until


def _client(authorization: str | None, form: Mapping[str, Any]) -> tuple[str, str] | None:
    """(client_id, secret) from HTTP Basic (RFC 6749 2.3.1) or the form; None if neither
    or both."""
    in_form = isinstance(form.get("client_id"), str) and isinstance(form.get("client_secret"), str)
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return (str(form["client_id"]), str(form["client_secret"])) if in_form else None
    if in_form:
        return None
    try:
        pair = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = pair.partition(":")
    if not colon:
        return None
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


def _oauth_error(status: int, code: str) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="citysim"'
    return web.Response(
        status=status,
        body=orjson.dumps({"error": code}),
        content_type="application/json",
        headers=headers,
    )


def _problem(status: int, title: str, detail: str, challenge: str | None = None) -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/problem+json",
        headers={"WWW-Authenticate": challenge} if challenge else None,
    )
