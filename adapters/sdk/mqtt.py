"""An MQTT client for an adapter whose platform pushes over MQTT (SensorThings, Lynx).

``mqtt_client("mqtt://host:port", username, password)``: an ``aiomqtt.Client`` to use
as an async context manager. Only ``mqtt://`` URLs are taken.
"""

from __future__ import annotations

import aiomqtt
from yarl import URL

from adapters.errors import ConfigError, UpstreamUnavailable

DEFAULT_PORT = 1883


def check_mqtt_url(url: str | None, key: str = "mqtt_url") -> None:
    """Refuse (``ConfigError`` naming ``key``) a URL that is not ``mqtt://host[:port]``."""
    if url is None:
        return
    try:
        parsed = URL(url)
        port = parsed.port
    except ValueError:
        raise ConfigError(key, "is not a URL") from None
    if parsed.scheme != "mqtt" or not parsed.host or port is None:
        raise ConfigError(key, "must be mqtt://host:port")


async def subscribe_all(client: aiomqtt.Client, topics: list[str]) -> None:
    """Subscribe to every topic at QoS 0 in one SUBSCRIBE packet (one round trip; once it
    is acknowledged, nothing published afterwards on any of them is missed)."""
    if topics:
        await client.subscribe([(topic, 0) for topic in topics])


def mqtt_client(
    url: str, username: str | None = None, password: str | None = None
) -> aiomqtt.Client:
    """A client for the broker at ``url`` (credentials in the URL are used when none are given)."""
    parsed = URL(url)
    if parsed.scheme != "mqtt" or not parsed.host:
        raise UpstreamUnavailable(
            f"the MQTT URL must be mqtt://host:port, got scheme {parsed.scheme!r}"
        )
    return aiomqtt.Client(
        parsed.host,
        parsed.port or DEFAULT_PORT,
        username=username if username is not None else parsed.user,
        password=password if password is not None else parsed.password,
    )
