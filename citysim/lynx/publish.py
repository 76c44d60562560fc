"""Lynx's MQTT API: each new status value is published on ``{installation}/{topic_read}``
(e.g. ``1280/obj/malmo/...``) as ``{"timestamp", "value", "msg"}``, the shape IoT Open's
clients read (seconds since the epoch; ``msg`` holds a word, ``value`` a number)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from citysim.lynx.model import TYPES, Installation
from citysim.mqtt import MqttLink
from citysim.world.city import CityWorld, Entity

GARBAGE = b"\x00{not a status"
WATCHED = frozenset(TYPES)


class StatusPublisher:
    """Publishes one city's latest status values of a changed type."""

    def __init__(self, world: CityWorld, link: MqttLink) -> None:
        self.installation = Installation(world)
        self.link = link

    def watched(self) -> frozenset[str]:
        """Every type the installation has devices of."""
        return WATCHED

    async def publish(self, type_name: str, entities: Sequence[Entity], garbage: bool) -> int:
        """One message per function of ``type_name``'s devices; how many were sent."""
        installation = self.installation
        sent = 0
        for entry in installation.entries(installation.current(), type_name):
            payload = {k: entry[k] for k in ("timestamp", "value", "msg")}
            body = GARBAGE if garbage else orjson.dumps(payload)
            sent += await self.link.publish(f"{installation.id}/{entry['topic']}", body)
        return sent
