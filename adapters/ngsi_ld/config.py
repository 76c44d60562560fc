"""The ``adapter`` section of an NGSI-LD city, validated into a typed ``NgsiLdConfig``.

Every problem is a ``ConfigError`` naming the key. Header values may be
secrets: they never appear in a message or in ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from yarl import URL

from adapters.errors import ConfigError

DEFAULT_CONTEXT = "https://smartdatamodels.org/context.jsonld"
"""The Smart Data Models unified @context (the copy shipped in ``contexts/``)."""

MAX_PAGE_SIZE = 1000
API_ROOT = "ngsi-ld/v1/"

Format = Literal["keyValues", "normalized"]
_FORMATS: tuple[Format, ...] = ("keyValues", "normalized")

_ALLOWED = (
    "url",
    "context",
    "type_contexts",
    "tenant",
    "page_size",
    "headers",
    "format",
    "time_property",
)
_RESERVED_HEADERS = frozenset(
    {"accept", "link", "ngsild-tenant", "user-agent", "host", "content-length", "content-type"}
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""An HTTP header name (RFC 9110 token)."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""An NGSI-LD attribute name usable in ``q`` without quoting."""


@dataclass(frozen=True, slots=True)
class NgsiLdConfig:
    """One city's NGSI-LD broker and how to ask it."""

    url: URL
    """Base URL of the broker; the API is under ``/ngsi-ld/v1/`` below it."""
    context: str = DEFAULT_CONTEXT
    """The @context URL sent in the ``Link`` header (unless ``type_contexts`` names one)."""
    type_contexts: Mapping[str, str] = field(default_factory=dict)
    """Entity type -> @context URL for queries of that type (e.g. a data-model's own context)."""
    tenant: str | None = None
    """Sent as ``NGSILD-Tenant`` when set."""
    page_size: int = 100
    """Entities asked for per request (1..1000)."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Extra request headers (e.g. an API key); values are never logged."""
    format: Format = "keyValues"
    """``keyValues`` (smaller) or ``normalized`` (keeps ``observedAt`` for ``observed_at``)."""
    time_property: str | None = "dateObserved"
    """The DateTime attribute a time window is pushed down on; None: no time push-down."""

    def context_for(self, entity_type: str) -> str:
        """The @context URL for a query of ``entity_type``."""
        return self.type_contexts.get(entity_type, self.context)

    @property
    def entities_url(self) -> URL:
        """``.../ngsi-ld/v1/entities`` under ``url``."""
        return self.url / "entities"

    def __repr__(self) -> str:
        names = ", ".join(sorted(self.headers))
        return (
            f"NgsiLdConfig(url={str(self.url)!r}, context={self.context!r}, "
            f"type_contexts={dict(self.type_contexts)!r}, tenant={self.tenant!r}, "
            f"page_size={self.page_size}, headers=[{names}], format={self.format!r}, "
            f"time_property={self.time_property!r})"
        )


def validate_config(config: Mapping[str, Any]) -> NgsiLdConfig:
    """Check the adapter section (without ``kind``) and return it typed."""
    if not isinstance(config, Mapping):
        raise ConfigError("", "the adapter section must be a mapping")
    unknown = sorted(str(k) for k in config if k not in _ALLOWED and k != "kind")
    if unknown:
        raise ConfigError(unknown[0], f"unknown key; allowed keys are: {', '.join(_ALLOWED)}")
    if config.get("kind", "ngsi-ld") != "ngsi-ld":
        raise ConfigError("kind", "must be 'ngsi-ld' for this adapter")
    if "url" not in config:
        raise ConfigError("url", "is required: the http(s) base URL of the NGSI-LD broker")
    return NgsiLdConfig(
        url=_base_url(config["url"]),
        context=str(_http_url("context", config.get("context", DEFAULT_CONTEXT))),
        type_contexts=_type_contexts(config.get("type_contexts", {})),
        tenant=_tenant(config.get("tenant")),
        page_size=_page_size(config.get("page_size", 100)),
        headers=_headers(config.get("headers", {})),
        format=_format(config.get("format", "keyValues")),
        time_property=_time_property(config.get("time_property", "dateObserved")),
    )


def _http_url(key: str, value: object) -> URL:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, "must be an http(s) URL string")
    try:
        url = URL(value.strip())
    except ValueError:
        raise ConfigError(key, "is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(key, "must be an absolute http:// or https:// URL with a host")
    if url.user is not None or url.password is not None:
        raise ConfigError(key, "must not contain credentials; put them in 'headers'")
    return url


def _base_url(value: object) -> URL:
    url = _http_url("url", value)
    if url.query_string or url.fragment:
        raise ConfigError("url", "must not have a query or fragment")
    path = url.path.rstrip("/")
    if not path.endswith("/ngsi-ld/v1"):
        path = f"{path}/{API_ROOT.rstrip('/')}"
    return url.with_path(path + "/")


def _type_contexts(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError("type_contexts", "must map entity types to @context URLs")
    contexts: dict[str, str] = {}
    for entity_type, url in value.items():
        if not isinstance(entity_type, str) or not _NAME.match(entity_type):
            raise ConfigError("type_contexts", f"{entity_type!r} is not an entity type name")
        contexts[entity_type] = str(_http_url(f"type_contexts.{entity_type}", url))
    return MappingProxyType(contexts)


def _tenant(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or not value.isprintable():
        raise ConfigError("tenant", "must be a non-empty string of printable characters")
    return value


def _page_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError("page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ConfigError("page_size", f"must be from 1 to {MAX_PAGE_SIZE} (got {value})")
    return value


def _headers(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError("headers", "must be a mapping of header names to string values")
    headers: dict[str, str] = {}
    for name, val in value.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigError("headers", f"{name!r} is not a valid header name")
        key = f"headers.{name}"
        if name.lower() in _RESERVED_HEADERS:
            raise ConfigError(key, "is set by the adapter itself and cannot be overridden")
        # Never echo the value: it may be a secret.
        if not isinstance(val, str) or any(c in val for c in "\r\n\0"):
            raise ConfigError(key, "must be a string without line breaks")
        headers[name] = val
    return MappingProxyType(headers)


def _format(value: object) -> Format:
    for fmt in _FORMATS:
        if value == fmt:
            return fmt
    raise ConfigError("format", f"must be one of: {', '.join(_FORMATS)}")


def _time_property(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _NAME.match(value):
        raise ConfigError("time_property", "must be an attribute name (letters, digits, _) or null")
    return value
