"""The ``adapter`` section of a Lynx city, validated into a typed ``LynxConfig``.

::

    adapter:
      kind: lynx
      url: https://lynx.iotopen.se                 # the Lynx server (the API is under /api)
      installation_id: 1234
      api_key: "${LYNX_API_KEY}"                    # sent as X-API-Key (auth: bearer: Bearer)
      credentials:                                  # optional: adapters.credentials, e.g. the
        oauth2: {token_url: ..., client_id: caap, client_secret: "${LYNX_SECRET}"}  # city's IdP
      id_meta: ngsi_id                              # optional: device metadata that is the id
      types:
        WeatherObserved:
          device_type: weather_station              # DeviceX type of this entity type
          functions: {temperature: temperature, humidity: relativeHumidity}
          messages: {state: deviceState}            # optional: words read from the status msg

A function's value is converted from its ``meta.unit`` into the data model's
unit; a device's position is its ``latitude``/``longitude`` metadata. Without
``id_meta`` an entity's id is ``urn:ngsi-ld:<Type>:<installation>-<device id>``.
``api_key`` may be left out when ``credentials`` prove the gateway (an API key
there, or OAuth 2.0 in front of Lynx). Secrets are never logged, never in ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from yarl import URL

from adapters.credentials import CredentialsConfig, check_credentials
from adapters.errors import ConfigError
from adapters.sdk.config import Between, Matches, Secret, parse_config
from adapters.sdk.mqtt import check_mqtt_url

KIND = "lynx"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ATTRIBUTE = Matches(_NAME, "an attribute name (letters, digits, _)")
_TYPE_NAME = re.compile(_NAME)
_PARAMETERS = frozenset({"topics", "from", "to", "limit", "offset", "order"})
"""Query parameters the adapter sends itself."""


@dataclass(frozen=True, slots=True)
class DeviceMapping:
    """How one entity type is read from the installation's devices and functions."""

    device_type: str
    functions: Mapping[str, Annotated[str, _ATTRIBUTE]] = field(default_factory=dict)
    messages: Mapping[str, Annotated[str, _ATTRIBUTE]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LynxConfig:
    """One city's Lynx installation."""

    url: URL
    installation_id: Annotated[int, Between(1, None)]
    types: Mapping[str, DeviceMapping]
    api_key: Secret | None = None
    auth: Literal["x-api-key", "bearer"] = "x-api-key"
    id_meta: str | None = None
    latitude_meta: str = "latitude"
    longitude_meta: str = "longitude"
    credentials: CredentialsConfig | None = None
    """OAuth 2.0 client credentials or an API key (``adapters.credentials``)."""
    mqtt_url: str | None = None
    """``mqtt://host:port`` of the installation's MQTT broker (push, issue 15); the
    ``api_key`` is the password. None: the city is polled."""
    mqtt_username: str = "caap-gateway"
    """The MQTT user name (Lynx checks the password, the API key)."""

    @property
    def headers(self) -> dict[str, str]:
        """The API key's header (none without ``api_key``)."""
        if self.api_key is None:
            return {}
        if self.auth == "bearer":
            return {"Authorization": f"Bearer {self.api_key}"}
        return {"X-API-Key": str(self.api_key)}

    def api(self, *parts: str) -> URL:
        """``<url>/api/<parts>``."""
        url = self.url.with_path(self.url.path.rstrip("/") + "/api")
        for part in parts:
            url = url / part
        return url


def validate_config(options: Mapping[str, Any]) -> LynxConfig:
    """Check the adapter section and return it typed; raise ``ConfigError`` naming the key."""
    config = parse_config(LynxConfig, options, kind=KIND)
    if config.url.query_string:
        raise ConfigError("url", "must not have a query")
    check_mqtt_url(config.mqtt_url)
    if not config.types:
        raise ConfigError("types", "must map at least one entity type to a device type")
    for entity_type, mapping in config.types.items():
        key = f"types.{entity_type}"
        if not _TYPE_NAME.fullmatch(entity_type):
            raise ConfigError(key, "is not an entity type name")
        if not mapping.functions and not mapping.messages:
            raise ConfigError(f"{key}.functions", "must map at least one function type")
        both = sorted(set(mapping.functions) & set(mapping.messages))
        if both:
            raise ConfigError(f"{key}.messages.{both[0]}", "is also listed under functions")
    if config.credentials is None:
        if config.api_key is None:
            raise ConfigError("api_key", "is required (or credentials that prove the gateway)")
        return config
    check_credentials(
        config.credentials, origins=(config.url,), headers=(*config.headers, "Accept")
    )
    api_key = config.credentials.api_key
    if api_key is not None and api_key.query in _PARAMETERS:
        raise ConfigError("credentials.api_key.query", f"{api_key.query!r} is a parameter of Lynx")
    return config
