"""Bearer token -> Principal: a JWT access token checked locally, an opaque one by introspection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aiohttp

from gateway.auth.access_token import AccessTokenValidator, looks_like_jwt
from gateway.auth.bearer import bearer_token
from gateway.auth.errors import InvalidRequest, InvalidToken
from gateway.auth.introspection import Introspector
from gateway.auth.keys import KeySource
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.federation.model import AuthConfig


class Authenticator:
    """Who is calling: anonymous without a token, the token's principal, or an AuthError."""

    def __init__(
        self,
        tokens: AccessTokenValidator | None = None,
        introspector: Introspector | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._tokens = tokens
        self._introspector = introspector
        self._session = session

    @classmethod
    def for_config(cls, config: AuthConfig | None, *, min_refetch_s: float = 30.0) -> Authenticator:
        """An authenticator for ``config`` with its own HTTP session (call in a running loop)."""
        if config is None:
            return cls()
        session = aiohttp.ClientSession(headers={"User-Agent": "caap-gateway"})
        keys = KeySource(session, config.issuer, config.jwks_uri, min_refetch_s=min_refetch_s)
        tokens = AccessTokenValidator(keys, config.issuer, config.audience)
        introspector = (
            Introspector(session, config.introspection, config.issuer, config.audience)
            if config.introspection is not None
            else None
        )
        return cls(tokens, introspector, session)

    def costly(self, authorization: Sequence[str]) -> bool:
        """True when checking these ``Authorization`` headers would ask the introspection
        endpoint (an opaque token not judged recently): the caller's address is rate limited
        before that, so random tokens cannot make the gateway flood its issuer (finding M1
        of issue 13). Never raises: a malformed header is not costly."""
        if self._introspector is None or len(authorization) != 1:
            return False
        try:
            token = bearer_token(authorization[0], {})
        except InvalidRequest:
            return False
        return (
            token is not None and not looks_like_jwt(token) and not self._introspector.knows(token)
        )

    async def authenticate(
        self, authorization: Sequence[str], query: Mapping[str, str]
    ) -> Principal:
        """The principal of a request with these ``Authorization`` headers and URL query."""
        if len(authorization) > 1:
            raise InvalidRequest("send one Authorization header, not several")
        token = bearer_token(authorization[0] if authorization else None, query)
        if token is None:
            return ANONYMOUS
        if self._tokens is None:
            raise InvalidToken("this gateway trusts no authorization server: send no token")
        if looks_like_jwt(token):
            return await self._tokens.principal(token)
        if self._introspector is not None:
            return await self._introspector.principal(token)
        raise InvalidToken(
            "the token is not a JWT access token, and opaque tokens are not accepted"
        )

    async def aclose(self) -> None:
        """Close the HTTP session; safe to call more than once."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
