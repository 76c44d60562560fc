"""The resource server: bearer tokens (RFC 6750) -> Principal.

JWT access tokens (RFC 9068) are checked against the issuer's JWKS; opaque
tokens through RFC 7662 introspection when configured. ``Authenticator`` is the
one entry point; ``AuthError`` and its subclasses carry the HTTP answer.
"""

from gateway.auth.authenticator import Authenticator
from gateway.auth.config import effective_auth
from gateway.auth.errors import AuthError, AuthUnavailable, InvalidRequest, InvalidToken

__all__ = [
    "AuthError",
    "AuthUnavailable",
    "Authenticator",
    "InvalidRequest",
    "InvalidToken",
    "effective_auth",
]
