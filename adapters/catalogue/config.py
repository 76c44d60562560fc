"""The ``catalogue`` section of a city, validated into a typed ``CatalogueConfig``.

Every problem is a ``ConfigError`` naming the key; header values are never echoed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from yarl import URL

from adapters.errors import ConfigError
from adapters.sdk.config import http_url as sdk_http_url

RdfFormat = Literal["auto", "turtle", "xml"]
_FORMATS: tuple[RdfFormat, ...] = ("auto", "turtle", "xml")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RESERVED = frozenset({"accept", "user-agent", "host", "content-length", "content-type"})


@dataclass(frozen=True, slots=True)
class CatalogueConfig:
    """Where a catalogue is and how to ask it."""

    url: URL
    """DCAT: the catalogue document; CKAN: the site (``/api/3/action/`` is added)."""
    format: RdfFormat = "auto"
    """DCAT only: how to parse (``auto``: by the answer's content type)."""
    page_size: int = 100
    """CKAN only: ``rows`` per ``package_search`` request (1..1000)."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


def validate_config(config: Mapping[str, Any], kind: str) -> CatalogueConfig:
    """Check a ``catalogue`` section (``kind`` ``dcat-ap-se`` or ``ckan``) and type it."""
    if not isinstance(config, Mapping):
        raise ConfigError("", "the catalogue section must be a mapping")
    allowed = (
        ("url", "headers", "format") if kind == "dcat-ap-se" else ("url", "headers", "page_size")
    )
    unknown = sorted(str(k) for k in config if k not in (*allowed, "kind"))
    if unknown:
        raise ConfigError(unknown[0], f"unknown key; allowed keys are: {', '.join(allowed)}")
    if config.get("kind", kind) != kind:
        raise ConfigError("kind", f"must be {kind!r} for this adapter")
    if "url" not in config:
        raise ConfigError("url", "is required: the http(s) URL of the catalogue")
    return CatalogueConfig(
        url=http_url("url", config["url"]),
        format=_format(config.get("format", "auto")),
        page_size=_page_size(config.get("page_size", 100)),
        headers=headers(config.get("headers", {})),
    )


def http_url(key: str, value: object) -> URL:
    """An absolute http(s) URL without credentials or fragment."""
    return sdk_http_url(value, key, credentials_hint="put them in 'headers'")


def headers(value: object) -> Mapping[str, str]:
    """Extra request headers (e.g. an API key), checked; values are never echoed."""
    if not isinstance(value, Mapping):
        raise ConfigError("headers", "must be a mapping of header names to string values")
    checked: dict[str, str] = {}
    for name, val in value.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigError("headers", f"{name!r} is not a valid header name")
        if name.lower() in _RESERVED:
            raise ConfigError(f"headers.{name}", "is set by the adapter itself")
        if not isinstance(val, str) or any(c in val for c in "\r\n\0"):
            raise ConfigError(f"headers.{name}", "must be a string without line breaks")
        checked[name] = val
    return MappingProxyType(checked)


def _format(value: object) -> RdfFormat:
    for fmt in _FORMATS:
        if value == fmt:
            return fmt
    raise ConfigError("format", f"must be one of: {', '.join(_FORMATS)}")


def _page_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ConfigError("page_size", "must be an integer from 1 to 1000")
    return value
