"""``Credentials``: a city's upstream credentials at work, as an aiohttp client middleware.

The middleware puts the credentials on every request to the platform's origins
(and on no other request: a link elsewhere never carries them). With OAuth 2.0 a
401 from the platform makes it fetch one new token and send the request once
more; a second 401, or a 401 to an API key, is an ``UpstreamAuthError``.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

from adapters.contract import AdapterContext
from adapters.credentials.config import ApiKey, CredentialsConfig
from adapters.credentials.oauth2 import TokenSource
from adapters.errors import UpstreamAuthError

AUTHORIZATION = "Authorization"


class Credentials:
    """Attaches one city's credentials to the requests of the sessions it is given to."""

    def __init__(
        self, config: CredentialsConfig, context: AdapterContext, origins: Iterable[URL]
    ) -> None:
        self.config = config
        self._context = context
        self._origins = frozenset(url.origin() for url in origins)
        self.tokens = TokenSource(config.oauth2, context) if config.oauth2 is not None else None
        """The access tokens (OAuth 2.0); None for an API key."""

    def __repr__(self) -> str:
        kind = "oauth2" if self.tokens is not None else "api_key"
        return f"Credentials({kind}, city={self._context.city_id!r})"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every value to blank out of what a platform says back (the token in use too)."""
        config = self.config
        found = [config.oauth2.client_secret if config.oauth2 is not None else None]
        found.append(config.api_key.value if config.api_key is not None else None)
        if self.tokens is not None and self.tokens.current is not None:
            found.append(self.tokens.current.value)
        return tuple(str(s) for s in found if s)

    async def middleware(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        """The aiohttp client middleware (``adapters.http.new_session(credentials=...)``)."""
        if request.url.origin() not in self._origins:
            return await handler(request)
        if self.config.api_key is not None:
            _put_key(request, self.config.api_key)
            return _accepted(await handler(request), "the platform refused the gateway's API key")
        assert self.tokens is not None
        token = await self.tokens.token()
        request.headers[AUTHORIZATION] = f"Bearer {token}"
        response = await handler(request)
        if response.status != 401:
            return response
        response.release()
        self._context.logger.info(
            "city %s: the platform refused the access token (HTTP 401); fetching a new one",
            self._context.city_id,
        )
        token = await self.tokens.refused(token)
        request.headers[AUTHORIZATION] = f"Bearer {token}"
        return _accepted(
            await handler(request), "the platform refused the gateway's access token, a new one too"
        )

    async def aclose(self) -> None:
        """Close the token endpoint's session, if there is one."""
        if self.tokens is not None:
            await self.tokens.aclose()


def credentials_for(
    config: CredentialsConfig | None, context: AdapterContext, origins: Iterable[URL]
) -> Credentials | None:
    """``Credentials`` for ``config`` sent to ``origins`` (None without a config)."""
    return None if config is None else Credentials(config, context, origins)


def _put_key(request: ClientRequest, key: ApiKey) -> None:
    if key.header is not None:
        request.headers[key.header] = key.value
    else:
        assert key.query is not None
        request.url = request.url.update_query({key.query: str(key.value)})


def _accepted(response: ClientResponse, refused: str) -> ClientResponse:
    if response.status != 401:
        return response
    response.release()
    raise UpstreamAuthError(f"{refused} (HTTP 401)", status=401)
