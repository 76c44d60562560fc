"""The ``adapter`` section of an NGSI-LD city, validated into a typed ``NgsiLdConfig``.

Every problem is a ``ConfigError`` naming the key. Header values may be
secrets: they never appear in a message or in ``repr``; ``credentials`` (OAuth 2.0
client credentials or an API key, see ``adapters.credentials``) neither.

``context``, ``format`` and ``time_property`` hold for every entity type unless
``types.<Type>`` overrides them: Smart Data Models brokers often hold each type
under its own data-model context, and not every type has a ``dateObserved``.

``accept`` picks the representation asked for (``application/geo+json``: a
FeatureCollection, as diwise serves it). ``dialect`` names the broker
(``etsi``, ``orion-ld``, ``stellio``, ``scorpio``, ``mintaka``, ``diwise``): what
each does its own way is in ``dialect.py``. ``temporal`` configures the temporal
API (``false``: the broker keeps no history; ``url``: where it is, when not beside
the entities; ``dialect``: its own, e.g. ``mintaka`` beside an ``orion-ld``
broker; ``aggregation``: the broker aggregates, else the adapter does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from yarl import URL

from adapters.credentials import CredentialsConfig, parse_credentials
from adapters.errors import ConfigError
from adapters.ngsi_ld.dialect import DIALECTS, Dialect, DialectName
from adapters.sdk.config import http_url

DEFAULT_CONTEXT = "https://smartdatamodels.org/context.jsonld"
"""The Smart Data Models unified @context (the copy shipped in ``contexts/``)."""
DEFAULT_TIME_PROPERTY = "dateObserved"

MAX_PAGE_SIZE = 1000
API_ROOT = "ngsi-ld/v1/"

Format = Literal["keyValues", "normalized"]
ACCEPTS = ("application/json", "application/ld+json", "application/geo+json")
_FORMATS: tuple[Format, ...] = ("keyValues", "normalized")

_PER_TYPE = ("context", "format", "time_property")
_ALLOWED = (
    "url", *_PER_TYPE, "types", "tenant", "page_size", "headers", "dialect", "accept", "temporal",
    "credentials",
)  # fmt: skip
_TEMPORAL = ("url", "aggregation", "dialect")
_RESERVED_HEADERS = frozenset(
    {"accept", "link", "ngsild-tenant", "user-agent", "host", "content-length", "content-type"}
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""An HTTP header name (RFC 9110 token)."""
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""An NGSI-LD type or attribute name usable in parameters and ``q`` without quoting."""


@dataclass(frozen=True, slots=True)
class TypeSettings:
    """How entities of one type are asked for and read."""

    context: str = DEFAULT_CONTEXT
    """The @context URL sent in the ``Link`` header."""
    format: Format = "keyValues"
    """``keyValues`` (smaller) or ``normalized`` (keeps ``observedAt`` for ``observed_at``,
    ``unitCode`` for converting to the model's units, and every ``datasetId``)."""
    time_property: str | None = DEFAULT_TIME_PROPERTY
    """The DateTime attribute that is ``observed_at`` and carries the pushed-down time
    window; None: ``observed_at`` from ``observedAt`` only, no time push-down."""


@dataclass(frozen=True, slots=True)
class TemporalSettings:
    """Where the temporal API is and what it offers."""

    url: URL | None = None
    """Base URL of its ``.../ngsi-ld/v1/`` (None: the broker's own)."""
    aggregation: bool = False
    """The broker answers ``options=aggregatedValues``; otherwise the adapter aggregates."""
    dialect: DialectName | None = None
    """The temporal service's own dialect (Mintaka beside Orion-LD); None: the broker's."""


@dataclass(frozen=True, slots=True)
class NgsiLdConfig:
    """One city's NGSI-LD broker and how to ask it."""

    url: URL
    """Base URL of the API (``.../ngsi-ld/v1/``)."""
    defaults: TypeSettings = TypeSettings()
    types: Mapping[str, TypeSettings] = field(default_factory=dict)
    """Per entity type, where it differs from ``defaults``."""
    tenant: str | None = None
    """Sent as ``NGSILD-Tenant`` when set."""
    page_size: int = 100
    """Entities asked for per request (1..1000)."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Extra request headers (e.g. an API key); values are never logged."""
    dialect: DialectName = "etsi"
    accept: str = "application/json"
    temporal: TemporalSettings | None = TemporalSettings()
    """None: the broker has no temporal API."""
    credentials: CredentialsConfig | None = None
    """OAuth 2.0 client credentials or an API key (``adapters.credentials``)."""

    @property
    def rules(self) -> Dialect:
        """What the broker of this dialect does its own way."""
        return DIALECTS[self.dialect]

    @property
    def temporal_rules(self) -> Dialect:
        """What the temporal service does its own way (its dialect, else the broker's)."""
        own = self.temporal.dialect if self.temporal is not None else None
        return DIALECTS[own or self.dialect]

    @property
    def entity_page_size(self) -> int:
        """``page_size``, within what the broker accepts."""
        return min(self.page_size, self.rules.max_limit)

    def for_type(self, entity_type: str) -> TypeSettings:
        """The settings for queries of ``entity_type``."""
        return self.types.get(entity_type, self.defaults)

    @property
    def entities_url(self) -> URL:
        """``.../ngsi-ld/v1/entities``."""
        return self.url / "entities"

    @property
    def origins(self) -> tuple[URL, ...]:
        """Where requests go: the broker, and its temporal API when that is elsewhere."""
        extra = self.temporal.url if self.temporal is not None else None
        return (self.url,) if extra is None else (self.url, extra)

    @property
    def contexts(self) -> frozenset[str]:
        """Every @context URL this config may send."""
        return frozenset({self.defaults.context, *(s.context for s in self.types.values())})

    def __repr__(self) -> str:
        return (
            f"NgsiLdConfig(url={str(self.url)!r}, defaults={self.defaults!r}, "
            f"types={dict(self.types)!r}, tenant={self.tenant!r}, page_size={self.page_size}, "
            f"headers=[{', '.join(sorted(self.headers))}], dialect={self.dialect!r}, "
            f"accept={self.accept!r}, temporal={self.temporal!r}, "
            f"credentials={self.credentials!r})"
        )


def validate_config(config: Mapping[str, Any]) -> NgsiLdConfig:
    """Check the adapter section (without ``kind``) and return it typed."""
    if not isinstance(config, Mapping):
        raise ConfigError("", "the adapter section must be a mapping")
    _check_keys("", config, (*_ALLOWED, "kind"), _ALLOWED)
    if config.get("kind", "ngsi-ld") != "ngsi-ld":
        raise ConfigError("kind", "must be 'ngsi-ld' for this adapter")
    if "url" not in config:
        raise ConfigError("url", "is required: the http(s) base URL of the NGSI-LD broker")
    defaults = _type_settings("", config, TypeSettings())
    parsed = NgsiLdConfig(
        url=_base_url(config["url"]),
        defaults=defaults,
        types=_types(config.get("types", {}), defaults),
        tenant=_tenant(config.get("tenant")),
        page_size=_page_size(config.get("page_size", 100)),
        headers=_headers(config.get("headers", {})),
        dialect=_dialect(config.get("dialect", "etsi")),
        accept=_accept(config.get("accept", ACCEPTS[0])),
        temporal=_temporal(config.get("temporal", {})),
    )
    if config.get("credentials") is None:
        return parsed
    credentials = parse_credentials(
        config["credentials"],
        origins=parsed.origins,
        headers=(*parsed.headers, *_RESERVED_HEADERS),
    )
    return replace(parsed, credentials=credentials)


def _dialect(value: object, key: str = "dialect") -> DialectName:
    for dialect in DIALECTS.values():
        if value == dialect.name:
            return dialect.name
    raise ConfigError(key, f"must be one of: {', '.join(DIALECTS)}")


def _accept(value: object) -> str:
    if value not in ACCEPTS:
        raise ConfigError("accept", f"must be one of: {', '.join(ACCEPTS)}")
    return str(value)


def _temporal(value: object) -> TemporalSettings | None:
    if value is False:
        return None
    if value is True:
        return TemporalSettings()
    if not isinstance(value, Mapping):
        raise ConfigError("temporal", "must be false, true or {url, aggregation, dialect}")
    _check_keys("temporal.", value, _TEMPORAL, _TEMPORAL)
    aggregation = value.get("aggregation", False)
    if not isinstance(aggregation, bool):
        raise ConfigError("temporal.aggregation", "must be true or false")
    url = None
    if "url" in value:
        try:
            url = _base_url(value["url"])
        except ConfigError as exc:
            raise ConfigError("temporal.url", exc.message) from None
    dialect = _dialect(value["dialect"], "temporal.dialect") if "dialect" in value else None
    return TemporalSettings(url, aggregation, dialect)


def _check_keys(
    prefix: str, section: Mapping[Any, Any], accepted: tuple[str, ...], listed: tuple[str, ...]
) -> None:
    unknown = sorted(str(k) for k in section if k not in accepted)
    if unknown:
        raise ConfigError(
            prefix + unknown[0], f"unknown key; allowed keys are: {', '.join(listed)}"
        )


def _type_settings(prefix: str, section: Mapping[str, Any], base: TypeSettings) -> TypeSettings:
    return TypeSettings(
        context=str(_http_url(prefix + "context", section.get("context", base.context))),
        format=_format(prefix + "format", section.get("format", base.format)),
        time_property=_time_property(
            prefix + "time_property", section.get("time_property", base.time_property)
        ),
    )


def _types(value: object, defaults: TypeSettings) -> Mapping[str, TypeSettings]:
    if not isinstance(value, Mapping):
        raise ConfigError("types", "must map entity types to {context, format, time_property}")
    types: dict[str, TypeSettings] = {}
    for entity_type, section in value.items():
        if not isinstance(entity_type, str) or not _NAME.match(entity_type):
            raise ConfigError("types", f"{entity_type!r} is not an entity type name")
        prefix = f"types.{entity_type}."
        if not isinstance(section, Mapping):
            raise ConfigError(prefix.rstrip("."), f"must be a mapping of {', '.join(_PER_TYPE)}")
        _check_keys(prefix, section, _PER_TYPE, _PER_TYPE)
        types[entity_type] = _type_settings(prefix, section, defaults)
    return MappingProxyType(types)


def _http_url(key: str, value: object) -> URL:
    return http_url(value, key, credentials_hint="put them in 'headers'")


def _base_url(value: object) -> URL:
    url = _http_url("url", value)
    if url.query_string or url.fragment:
        raise ConfigError("url", "must not have a query or fragment")
    path = url.path.rstrip("/")
    if not path.endswith("/ngsi-ld/v1"):
        path = f"{path}/{API_ROOT.rstrip('/')}"
    return url.with_path(path + "/")


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


def _format(key: str, value: object) -> Format:
    for fmt in _FORMATS:
        if value == fmt:
            return fmt
    raise ConfigError(key, f"must be one of: {', '.join(_FORMATS)}")


def _time_property(key: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _NAME.match(value):
        raise ConfigError(key, "must be an attribute name (letters, digits, _) or null")
    return value
