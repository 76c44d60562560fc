"""JWT access tokens (RFC 9068) checked against the issuer's keys -> Principal.

The header is checked before any key is looked up: ``alg`` from an allow-list
of asymmetric algorithms (never ``none``, never HMAC, so a public key can never
serve as a shared secret), ``typ`` ``at+jwt``. Then the signature, with the
issuer's key of that ``kid``; then the claims: ``iss`` exactly the configured
issuer, ``aud`` containing the configured audience, ``exp``/``nbf``/``iat``
with a small leeway, and ``sub``, ``client_id`` and ``jti`` present.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError, MissingClaimError

from gateway.auth.errors import InvalidToken
from gateway.auth.keys import KeySource
from gateway.auth.principal import Principal

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_S = 30
"""Clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""
_TYPES = frozenset({"at+jwt", "application/at+jwt"})
_REQUIRED = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
_CLAIM_PROBLEMS = {
    "iss": "the token was issued by another issuer",
    "aud": "the token is meant for another audience",
    "nbf": "the token is not valid yet",
    "iat": "the token was issued in the future",
    "exp": "the token's expiry is not a time",
}


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts: the shape of a JWS compact token. Such a token is checked
    as a JWT and never sent to introspection, even when it is malformed (finding M1 of
    issue 13): no opaque token of an RFC 7662 server has that shape."""
    return token.count(".") == 2


class AccessTokenValidator:
    """Checks JWT access tokens of one issuer for one audience."""

    def __init__(
        self,
        keys: KeySource,
        issuer: str,
        audience: str,
        *,
        leeway_s: int = LEEWAY_S,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._now = now

    async def principal(self, token: str) -> Principal:
        """The caller ``token`` stands for; InvalidToken saying why it is not accepted."""
        header = _header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise InvalidToken(_algorithm_problem(alg))
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in _TYPES:
            raise InvalidToken("the token is not a JWT access token (typ must be at+jwt, RFC 9068)")
        if "crit" in header:
            raise InvalidToken("the token has critical header parameters this server does not know")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("the token's kid is not a string")
        key = await self._keys.key_for(kid, alg)
        try:
            claims = jwt.decode(token, key, algorithms=[alg]).claims
        except JoseError:
            raise InvalidToken("the token's signature does not verify") from None
        self._check_claims(claims)
        scope = claims.get("scope", "")
        if not isinstance(scope, str) or not isinstance(claims["client_id"], str):
            raise InvalidToken("the token's scope or client_id is not a string")
        expires = float(claims["exp"])
        return Principal(claims["sub"], claims["client_id"], frozenset(scope.split()), expires)

    def _check_claims(self, claims: Mapping[str, Any]) -> None:
        options: dict[str, jwt.ClaimsOption] = {name: {"essential": True} for name in _REQUIRED}
        options["iss"] = {"essential": True, "value": self._issuer}
        options["aud"] = {"essential": True, "value": self._audience}
        registry = jwt.JWTClaimsRegistry(now=int(self._now()), leeway=self._leeway_s, **options)
        try:
            registry.validate(dict(claims))
        except ExpiredTokenError:
            raise InvalidToken("the token has expired") from None
        except MissingClaimError as exc:
            raise InvalidToken(f"the token lacks the claims {exc.claim} (RFC 9068)") from None
        except ClaimError as exc:
            problem = _CLAIM_PROBLEMS.get(exc.claim, f"the token's {exc.claim} claim is invalid")
            raise InvalidToken(problem) from None


def _header(token: str) -> Mapping[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("the token is not a JWT (three dot-separated parts)")
    try:
        header = orjson.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidToken("the token's header is not base64url JSON") from None
    if not isinstance(header, dict):
        raise InvalidToken("the token's header is not a JSON object")
    return header


def _algorithm_problem(alg: object) -> str:
    if alg == "none" or (isinstance(alg, str) and alg.lower() == "none"):
        return "unsigned tokens (alg none) are not accepted"
    if isinstance(alg, str) and alg.upper().startswith("HS"):
        return f"symmetric algorithms ({alg}) are not accepted"
    return f"algorithm not accepted (accepted: {', '.join(ALGORITHMS)})"
