"""The ``adapter`` section of a SensorThings city, validated into a typed ``SensorThingsConfig``.

::

    adapter:
      kind: sensorthings
      url: https://frost.example.se/FROST-Server/v1.1   # the service root (/v1.1 added if absent)
      page_size: 100
      headers: {X-Api-Key: "${FROST_KEY}"}               # optional; values are secrets
      credentials:                                       # optional: adapters.credentials
        oauth2: {token_url: ..., client_id: caap, client_secret: "${FROST_SECRET}"}
      types:
        WeatherObserved:
          things: "properties/category eq 'weather'"     # OData $filter choosing the Things
          properties:                                    # ObservedProperty name -> attribute
            air temperature: temperature
            relative humidity: relativeHumidity
          units: {air temperature: "°C"}                 # optional: overrides unitOfMeasurement
          thing_properties: {address: address}           # optional: Thing property -> attribute
          id_property: ngsiId                            # optional: Thing property that is the id

Without ``things``, a type's Things are those with a Datastream of one of its
observed properties. Without ``id_property``, an entity's id is
``urn:ngsi-ld:<Type>:<@iot.id>``. ``match: definition`` matches observed
properties by their definition URI instead of their name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal

from yarl import URL

from adapters.credentials import CredentialsConfig, check_credentials
from adapters.errors import ConfigError
from adapters.sdk.config import Between, Matches, Secret, parse_config
from adapters.sdk.mqtt import check_mqtt_url
from adapters.sdk.units import unit

KIND = "sensorthings"
VERSIONS = ("v1.0", "v1.1")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ATTRIBUTE = Matches(_NAME, "an attribute name (letters, digits, _)")
_TYPE_NAME = re.compile(_NAME)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RESERVED_HEADERS = frozenset({"accept", "user-agent", "host", "content-length", "content-type"})


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """How one entity type is read from the server's Things and Datastreams."""

    properties: Mapping[str, Annotated[str, _ATTRIBUTE]]
    things: str | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    thing_properties: Mapping[str, Annotated[str, _ATTRIBUTE]] = field(default_factory=dict)
    id_property: Annotated[str, Matches(_NAME, "a Thing property name")] | None = None


@dataclass(frozen=True, slots=True)
class SensorThingsConfig:
    """One city's SensorThings server and its per-type property mapping."""

    url: URL
    types: Mapping[str, TypeMapping]
    page_size: Annotated[int, Between(1, 1000)] = 100
    match: Literal["name", "definition"] = "name"
    headers: Mapping[str, Secret] = field(default_factory=dict)
    credentials: CredentialsConfig | None = None
    """OAuth 2.0 client credentials or an API key (``adapters.credentials``)."""
    mqtt_url: str | None = None
    """``mqtt://[user:password@]host:port`` of the server's MQTT extension (push, issue 15);
    None: the city is polled."""

    @property
    def root(self) -> URL:
        """The service root, ending with the version (``.../v1.1``)."""
        return self.url

    def __repr__(self) -> str:
        return (
            f"SensorThingsConfig(url={str(self.url)!r}, types={sorted(self.types)}, "
            f"page_size={self.page_size}, match={self.match!r}, "
            f"headers=[{', '.join(sorted(self.headers))}], credentials={self.credentials!r})"
        )


def validate_config(options: Mapping[str, Any]) -> SensorThingsConfig:
    """Check the adapter section and return it typed; raise ``ConfigError`` naming the key."""
    config = parse_config(SensorThingsConfig, options, kind=KIND)
    if not config.types:
        raise ConfigError("types", "must map at least one entity type to its observed properties")
    for entity_type, mapping in config.types.items():
        _check_type(entity_type, mapping)
    for name in config.headers:
        if not _TOKEN.match(name) or name.lower() in _RESERVED_HEADERS:
            raise ConfigError(f"headers.{name}", "is not a header name the adapter may set")
    check_mqtt_url(config.mqtt_url)
    config = _with_root(config)
    if config.credentials is not None:
        taken = (*config.headers, *_RESERVED_HEADERS)
        check_credentials(config.credentials, origins=(config.url,), headers=taken)
    return config


def _check_type(entity_type: str, mapping: TypeMapping) -> None:
    key = f"types.{entity_type}"
    if not _TYPE_NAME.fullmatch(entity_type):
        raise ConfigError(key, "is not an entity type name")
    if not mapping.properties:
        raise ConfigError(f"{key}.properties", "must map at least one observed property")
    if mapping.things is not None and not mapping.things.isprintable():
        raise ConfigError(f"{key}.things", "must be a one-line OData $filter expression")
    for name, text in mapping.units.items():
        if name not in mapping.properties:
            raise ConfigError(f"{key}.units.{name}", "names no observed property of this type")
        if unit(text) is None:
            raise ConfigError(f"{key}.units.{name}", f"{text!r} is not a known unit")


def _with_root(config: SensorThingsConfig) -> SensorThingsConfig:
    url = config.url
    if url.query_string:
        raise ConfigError("url", "must not have a query")
    path = url.path.rstrip("/")
    if not path.endswith(VERSIONS):
        path = f"{path}/v1.1"
    return replace(config, url=url.with_path(path))
