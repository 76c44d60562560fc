"""Errors an adapter raises; the gateway turns each into a coverage status and code.

::

    AdapterError                     base; never raised itself
    ├── ConfigError                  the adapter section of the federation file is wrong
    ├── UnsupportedQuery             the platform cannot answer this (type, filter)
    └── UpstreamError                the platform answered wrongly      -> UPSTREAM_ERROR
        ├── UpstreamTimeout          no answer within the time allowed  -> UPSTREAM_TIMEOUT
        ├── UpstreamUnavailable      no connection, 503 or 429          -> UPSTREAM_UNAVAILABLE
        ├── UpstreamProtocolError    an answer that breaks the protocol -> UPSTREAM_ERROR
        │                            (garbage JSON, wrong content type, bad shape)
        └── UpstreamAuthError        the platform or its token endpoint -> UPSTREAM_ERROR
                                     refused the gateway's credentials

Messages name what went wrong and where, never a secret, never a full URL with
credentials in it.
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base of every error an adapter raises."""


class ConfigError(AdapterError):
    """An adapter configuration is invalid; ``key`` is the dotted path in the adapter section."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


class UnsupportedQuery(AdapterError):
    """The platform does not offer what was asked (an entity type, a filter)."""


class UpstreamError(AdapterError):
    """The platform's answer could not be used. ``status`` is the HTTP status when there was one;
    ``retry_after_s`` what its ``Retry-After`` header asked for (429, 503), in seconds."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class UpstreamTimeout(UpstreamError):
    """The platform did not answer in time."""


class UpstreamUnavailable(UpstreamError):
    """The platform could not be reached, or said it is unavailable."""


class UpstreamProtocolError(UpstreamError):
    """The platform answered with something the protocol does not allow."""


class UpstreamAuthError(UpstreamError):
    """The platform, or its token endpoint, refused the gateway's credentials (401, or an
    OAuth 2.0 error such as ``invalid_client``). The message never holds a secret."""
