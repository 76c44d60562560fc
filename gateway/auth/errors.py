"""Why a bearer token was not accepted; each error knows its HTTP answer (RFC 6750, section 3).

::

    AuthError               base; never raised itself
    ├── InvalidRequest      400 invalid_request: a malformed Authorization header,
    │                       or a token sent another way than the header
    ├── InvalidToken        401 invalid_token: malformed, expired, not yet valid,
    │                       foreign (issuer, audience), badly signed, inactive
    └── AuthUnavailable     503: the token cannot be checked now (the issuer's keys
                            or the introspection endpoint cannot be reached)

Descriptions say what is wrong, never quote the token and never hold a secret.
"""

from __future__ import annotations

import re

from gateway.errors import ErrorCode

REALM = "caap-gateway"
_UNSAFE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")
"""What RFC 6750 forbids in error_description: outside %x20-21 / %x23-5B / %x5D-7E."""


class AuthError(Exception):
    """A request whose credentials were refused; ``status`` and ``headers`` answer it."""

    status = 401
    error: str | None = None
    code = ErrorCode.UNAUTHENTICATED

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = _UNSAFE.sub("?", description)

    @property
    def headers(self) -> dict[str, str]:
        """``WWW-Authenticate`` with the error and its description."""
        parts = [f'realm="{REALM}"']
        if self.error is not None:
            parts += [f'error="{self.error}"', f'error_description="{self.description}"']
        return {"WWW-Authenticate": "Bearer " + ", ".join(parts)}


class InvalidRequest(AuthError):
    """The request carries its token in a way this resource server does not accept."""

    status = 400
    error = "invalid_request"
    code = ErrorCode.BAD_USER_INPUT


class InvalidToken(AuthError):
    """A token that is not valid here; the client should get a new one."""

    error = "invalid_token"


class AuthUnavailable(AuthError):
    """The token cannot be checked at the moment; the client should try again later."""

    status = 503
    code = ErrorCode.UPSTREAM_UNAVAILABLE

    @property
    def headers(self) -> dict[str, str]:
        """``Retry-After``: checking needs the authorization server, which is unreachable."""
        return {"Retry-After": "5"}
