"""RFC 6750 bearer tokens: taken from the ``Authorization`` header, and only from there."""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.auth.errors import InvalidRequest

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
"""The b64token syntax of RFC 6750, section 2.1."""
MAX_TOKEN_BYTES = 16_384


def bearer_token(authorization: str | None, query: Mapping[str, str]) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when the request has none.

    A token in the URL (``access_token``, RFC 6750 section 2.3) is refused: URLs
    end up in logs and browser histories. Another scheme, an empty or malformed
    token, is refused too (InvalidRequest), rather than silently ignored.
    """
    if "access_token" in query:
        raise InvalidRequest("send the token in the Authorization header, not in the URL")
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidRequest("only the Bearer authorization scheme is accepted")
    token = token.strip()
    if not token:
        raise InvalidRequest("the Bearer authorization header carries no token")
    if len(token) > MAX_TOKEN_BYTES or not _B64TOKEN.fullmatch(token):
        raise InvalidRequest("the bearer token is not a b64token (RFC 6750, section 2.1)")
    return token
