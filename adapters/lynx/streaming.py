"""Push from a Lynx installation over its MQTT API.

``stream_entities`` reads the devices and functions of the type and their latest
status, as ``fetch_entities`` does, then subscribes on the broker at ``mqtt_url``
(the API key as password) to ``{installation}/{topic_read}`` of every function, and
takes each ``{"timestamp", "value", "msg"}`` published there as its function's latest.
Once every function of a device has published (or ``adapters.sdk.gather.WAIT_S`` after
the first did), the device is mapped again: one event per change, the entity as
``fetch_entities`` would then show it. An older value than the one known is ignored.
An MQTT or HTTP failure, or a payload that is not a status, raises an ``AdapterError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aiomqtt
import orjson

from adapters.contract import SourceEntity
from adapters.errors import UpstreamAuthError, UpstreamProtocolError, UpstreamUnavailable
from adapters.lynx.config import LynxConfig
from adapters.lynx.installation import Station
from adapters.sdk.gather import ChangeGatherer, gathered
from adapters.sdk.mqtt import mqtt_client, subscribe_all

Latest = dict[str, Mapping[str, Any]]


async def stream_entities(
    config: LynxConfig,
    found: list[Station],
    status: Callable[[list[str]], Awaitable[Latest]],
    entity: Callable[[Station, Latest], SourceEntity],
) -> AsyncIterator[SourceEntity]:
    """The changed entities of the type ``found`` holds; see the module's docstring."""
    if config.mqtt_url is None:
        raise UpstreamUnavailable("no mqtt_url is configured for this Lynx installation")
    by_topic = {
        f"{config.installation_id}/{r.topic}": (position, r.topic)
        for position, station in enumerate(found)
        for r in station.readings
    }
    latest = await status(sorted({topic for _, topic in by_topic.values()}))
    password = str(config.api_key) if config.api_key is not None else None

    def apply(message: aiomqtt.Message) -> tuple[int, str] | None:
        target = by_topic.get(str(message.topic))
        if target is None:
            return None
        topic = target[1]
        entry = _status(message.payload, topic)
        known = latest.get(topic)
        if known is not None and float(known.get("timestamp", 0)) > entry["timestamp"]:
            return None
        latest[topic] = entry
        return target

    parts = {p: frozenset(r.topic for r in station.readings) for p, station in enumerate(found)}
    try:
        async with mqtt_client(config.mqtt_url, config.mqtt_username, password) as mqtt:
            await subscribe_all(mqtt, sorted(by_topic))
            async for position in gathered(mqtt.messages, apply, ChangeGatherer(parts)):
                yield entity(found[position], latest)
    except aiomqtt.MqttCodeError as exc:
        if exc.rc in (4, 5, 134, 135):  # bad user name or password / not authorised
            raise UpstreamAuthError("the Lynx MQTT broker refused the API key") from None
        raise UpstreamUnavailable(f"the Lynx MQTT broker failed: {exc}") from None
    except aiomqtt.MqttError as exc:
        raise UpstreamUnavailable(f"the Lynx MQTT broker failed: {exc}") from None


def _status(payload: Any, topic: str) -> dict[str, Any]:
    try:
        body = orjson.loads(payload) if isinstance(payload, bytes | str) else None
    except orjson.JSONDecodeError:
        body = None
    stamp = body.get("timestamp") if isinstance(body, dict) else None
    if not isinstance(body, dict) or isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise UpstreamProtocolError(
            f"the Lynx MQTT broker delivered on {topic!r} something that is not a status"
        )
    return {**body, "topic": topic, "timestamp": float(stamp)}
