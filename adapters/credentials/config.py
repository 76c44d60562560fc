"""The ``credentials`` section of an adapter, checked into a typed ``CredentialsConfig``.

::

    credentials:
      oauth2:                                   # RFC 6749 4.4, client credentials grant
        token_url: https://login.malmo.se/oauth2/token
        client_id: caap-gateway
        client_secret: ${MALMO_CLIENT_SECRET}
        scope: iot:read                         # optional
        auth_method: client_secret_basic        # or client_secret_post
    # or one API key, in a header or a query parameter:
    credentials:
      api_key: {header: X-Api-Key, value: ${MALMO_API_KEY}}     # or {query: apikey, ...}

Secrets are ``Secret`` strings (``repr`` shows ``***``); no message names their
value. They travel over https only: plain http is accepted for loopback hosts,
or with ``allow_plain_http: true`` (a platform inside the same cluster).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Literal

from yarl import URL

from adapters.errors import ConfigError
from adapters.sdk.config import Matches, Secret, parse_config

HEADER_NAME = Matches(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", "an HTTP header name")
QUERY_NAME = Matches(r"[A-Za-z0-9_.\-~]+", "a query parameter name (letters, digits, _ . - ~)")
SCOPE = Matches(r"[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*", "space-separated scopes")
_FIXED_HEADERS = frozenset(
    {"host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent"}
)

AuthMethod = Literal["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True, slots=True)
class OAuth2:
    """A client of the city's authorization server (client credentials grant)."""

    token_url: URL
    client_id: str
    client_secret: Secret
    scope: Annotated[str, SCOPE] | None = None
    auth_method: AuthMethod = "client_secret_basic"
    """``client_secret_basic``: HTTP Basic (RFC 6749 2.3.1); ``client_secret_post``: in the form."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One key sent with every request, as a header or as a query parameter."""

    value: Secret
    header: Annotated[str, HEADER_NAME] | None = None
    query: Annotated[str, QUERY_NAME] | None = None

    def __post_init__(self) -> None:
        if (self.header is None) == (self.query is None):
            raise ValueError("give exactly one of header and query")
        if self.header is not None and self.header.lower() in _FIXED_HEADERS:
            raise ValueError(f"header {self.header} is set by the HTTP client itself")


@dataclass(frozen=True, slots=True)
class CredentialsConfig:
    """How the gateway proves itself to one city's platform: exactly one of the two."""

    oauth2: OAuth2 | None = None
    api_key: ApiKey | None = None
    allow_plain_http: bool = False
    """Send the secrets over plain http to hosts that are not loopback (inside a cluster)."""

    def __post_init__(self) -> None:
        if (self.oauth2 is None) == (self.api_key is None):
            raise ValueError("give exactly one of oauth2 and api_key")

    @property
    def header(self) -> str | None:
        """The request header the credentials occupy, if any."""
        if self.oauth2 is not None:
            return "Authorization"
        assert self.api_key is not None
        return self.api_key.header


def parse_credentials(
    value: object,
    key: str = "credentials",
    *,
    origins: Iterable[URL] = (),
    headers: Iterable[str] = (),
) -> CredentialsConfig:
    """The section at ``key``, checked; raises ``ConfigError`` naming the dotted key.

    ``origins`` are the platform URLs the secrets will be sent to (https only, but
    loopback); ``headers`` the names of headers set otherwise, which must not collide.
    """
    try:
        config = parse_config(CredentialsConfig, value)
    except ConfigError as exc:
        raise ConfigError(f"{key}.{exc.key}" if exc.key else key, exc.message) from None
    check_credentials(config, key, origins=origins, headers=headers)
    return config


def check_credentials(
    config: CredentialsConfig,
    key: str = "credentials",
    *,
    origins: Iterable[URL] = (),
    headers: Iterable[str] = (),
) -> None:
    """What ``parse_credentials`` checks besides the section's shape, for an adapter whose
    dataclass config holds a ``credentials: CredentialsConfig | None`` field (``parse_config``
    builds it); raises ``ConfigError``."""
    if config.oauth2 is not None:
        _check_transport(config, config.oauth2.token_url, f"{key}.oauth2.token_url")
    for url in origins:
        _check_transport(config, url, key)
    taken = {name.lower() for name in headers}
    if config.header is not None and config.header.lower() in taken:
        raise ConfigError(
            key, f"the {config.header} header is set already (in headers, or by the adapter)"
        )


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_transport(config: CredentialsConfig, url: URL, key: str) -> None:
    if url.scheme == "https" or config.allow_plain_http or is_loopback(url.host):
        return
    raise ConfigError(
        key,
        f"secrets are sent over https only, and {url.host} is asked over plain http; "
        "use https, or set allow_plain_http: true for a platform inside the same network",
    )
