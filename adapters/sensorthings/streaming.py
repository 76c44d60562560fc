"""Push from a SensorThings server through its MQTT extension (OGC 18-088 clause 14).

``stream_entities`` reads the Things of the type with their Datastreams, as
``fetch_entities`` does, subscribes on the broker at ``mqtt_url`` to
``v1.1/Datastreams({id})/Observations`` for every mapped Datastream, and takes each
Observation published there as its Datastream's latest. Once every mapped Datastream
of a Thing has published (or ``adapters.sdk.gather.WAIT_S`` after the first did), the
Thing is mapped again (``Mapper.entity``): one event per change, the entity as
``fetch_entities`` would then show it. An Observation older than the one known is
ignored. An MQTT or HTTP failure, or a payload that is not an Observation, raises an
``AdapterError``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import aiomqtt
import orjson

from adapters.contract import SourceEntity, SourceQuery
from adapters.errors import UpstreamProtocolError, UpstreamUnavailable
from adapters.sdk.client import PlatformClient
from adapters.sdk.gather import ChangeGatherer, gathered
from adapters.sdk.mqtt import mqtt_client, subscribe_all
from adapters.sdk.times import parse_instant
from adapters.sensorthings.config import SensorThingsConfig
from adapters.sensorthings.mapping import Mapper
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.query import observed, thing_params
from adapters.streaming import StreamQuery

_TOPIC = re.compile(r"^v1\.1/Datastreams\((\d+)\)/Observations$")
Thing = tuple[Mapping[str, Any], list[Any]]


async def stream_entities(
    client: PlatformClient,
    config: SensorThingsConfig,
    mapper: Mapper,
    query: StreamQuery,
    project: Callable[[SourceEntity], SourceEntity],
) -> AsyncIterator[SourceEntity]:
    """The changed entities of ``query.entity_type``; see the module's docstring."""
    if config.mqtt_url is None:
        raise UpstreamUnavailable("no mqtt_url is configured for this SensorThings server")
    things = await _things(client, config, mapper, query)
    by_datastream: dict[int, tuple[int, dict[str, Any]]] = {}
    parts: dict[int, set[int]] = {}
    for position, thing in enumerate(things):
        for datastream in thing[1]:
            if mapper.attribute_of(datastream) is not None:
                datastream_id = int(datastream["@iot.id"])
                by_datastream[datastream_id] = (position, datastream)
                parts.setdefault(position, set()).add(datastream_id)

    def apply(message: aiomqtt.Message) -> tuple[int, int] | None:
        found = _TOPIC.match(str(message.topic))
        datastream_id = int(found.group(1)) if found else -1
        target = by_datastream.get(datastream_id)
        if target is None:
            return None
        position, datastream = target
        return (
            (position, datastream_id) if _newer(datastream, _observation(message.payload)) else None
        )

    gatherer = ChangeGatherer({k: frozenset(v) for k, v in parts.items()})
    try:
        async with mqtt_client(config.mqtt_url) as mqtt:
            await subscribe_all(
                mqtt, [f"v1.1/Datastreams({d})/Observations" for d in sorted(by_datastream)]
            )
            async for position in gathered(mqtt.messages, apply, gatherer):
                owner, streams = things[position]
                yield project(mapper.entity(owner, streams))
    except aiomqtt.MqttError as exc:
        raise UpstreamUnavailable(f"the SensorThings MQTT broker failed: {exc}") from None


async def _things(
    client: PlatformClient, config: SensorThingsConfig, mapper: Mapper, query: StreamQuery
) -> list[Thing]:
    mapping = config.types[query.entity_type]
    names = observed(mapping, query.attrs)
    source = SourceQuery(query.entity_type, attrs=query.attrs, limit=config.page_size)
    params = thing_params(config, mapping, source, names, config.page_size, 0)
    url = (config.url / "Things").with_query(params)
    found: list[Thing] = []
    while True:
        page, _, next_link = page_of((await client.get_json(url)).data)
        for thing in page:
            if not isinstance(thing, Mapping):
                raise UpstreamProtocolError("a Thing is not a JSON object")
            found.append((thing, await expanded(client, thing, "Datastreams", url)))
        if next_link is None:
            return found
        url = client.follow(next_link, url)


def _observation(payload: Any) -> dict[str, Any]:
    try:
        observation = orjson.loads(payload) if isinstance(payload, bytes | str) else None
    except orjson.JSONDecodeError:
        observation = None
    if not isinstance(observation, dict) or "phenomenonTime" not in observation:
        raise UpstreamProtocolError(
            "the MQTT broker delivered something that is not an Observation"
        )
    return observation


def _newer(datastream: dict[str, Any], observation: dict[str, Any]) -> bool:
    """Make ``observation`` the Datastream's latest unless it is older than the one known."""
    at = parse_instant(observation["phenomenonTime"], what="phenomenonTime")
    known = datastream.get("Observations")
    if isinstance(known, list) and known and isinstance(known[0], Mapping):
        stamp = known[0].get("phenomenonTime")
        if stamp is not None and parse_instant(stamp, what="phenomenonTime") > at:
            return False
    datastream["Observations"] = [observation]
    return True
