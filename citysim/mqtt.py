"""citysim's connection to an MQTT broker, which its SensorThings and Lynx simulators
publish to (``SimSettings.mqtt_url``: ``mqtt://[user:password@]host:port``).

Connected on first publish; a failed publish is logged and the connection dropped
(the next one connects again): a simulated platform's push is best effort, as a
real one's is.
"""

from __future__ import annotations

import contextlib
import logging

import aiomqtt
from yarl import URL

log = logging.getLogger("citysim.mqtt")


class MqttLink:
    """One client connection to the broker at ``url``."""

    def __init__(self, url: str, client_id: str) -> None:
        self.url = URL(url)
        if self.url.scheme != "mqtt" or not self.url.host:
            raise ValueError(f"mqtt_url must be mqtt://host:port, got {url!r}")
        self.client_id = client_id
        self._client: aiomqtt.Client | None = None

    async def publish(self, topic: str, payload: bytes) -> bool:
        """Publish ``payload`` on ``topic`` (QoS 0); False when it could not be sent."""
        try:
            client = await self._connected()
            await client.publish(topic, payload)
        except aiomqtt.MqttError as exc:
            log.info("publishing on %s failed: %s", topic, exc)
            await self.aclose()
            return False
        return True

    async def aclose(self) -> None:
        """Disconnect (if connected)."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError):
                await client.__aexit__(None, None, None)

    async def _connected(self) -> aiomqtt.Client:
        if self._client is None:
            client = aiomqtt.Client(
                self.url.host or "127.0.0.1",
                self.url.port or 1883,
                identifier=self.client_id,
                username=self.url.user,
                password=self.url.password,
            )
            await client.__aenter__()
            self._client = client
        return self._client
