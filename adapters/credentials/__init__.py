"""Upstream credentials per city: OAuth 2.0 client credentials or an API key, built once
for every adapter.

An adapter accepts a ``credentials`` section in its options, checks it with
``parse_credentials`` when the federation is loaded (or declares a
``credentials: CredentialsConfig | None = None`` field in its ``parse_config``
dataclass and calls ``check_credentials``), builds ``Credentials`` with
``credentials_for`` and hands them to ``adapters.http.new_session`` (or
``PlatformClient``): every request to the platform then carries them, tokens are
fetched, kept and replaced before they expire, and a 401 fetches one new token.
``Credentials.secrets`` are what to blank out of error messages. See docs/auth.md.
"""

from adapters.credentials.attach import Credentials, credentials_for
from adapters.credentials.config import (
    ApiKey,
    CredentialsConfig,
    OAuth2,
    check_credentials,
    parse_credentials,
)
from adapters.credentials.oauth2 import AccessToken, TokenSource

__all__ = [
    "AccessToken",
    "ApiKey",
    "Credentials",
    "CredentialsConfig",
    "OAuth2",
    "TokenSource",
    "check_credentials",
    "credentials_for",
    "parse_credentials",
]
