"""``LynxAdapter``: one city's IoT Open Lynx installation behind the adapter contract.

A query reads the installation's devices and functions (two requests, at once),
keeps the devices of the entity type's device type, and asks ``/status`` for
the latest value of the functions wanted (``attrs`` pushed down as topics;
a long list is POSTed, as the official clients do). Near, within and the time
window are applied here: Lynx has no such filters.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from adapters.contract import (
    AdapterContext,
    Capabilities,
    HistoryQuery,
    HistoryResult,
    JSONValue,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.credentials import credentials_for
from adapters.discovery import DiscoveryQuery, DiscoveryResult
from adapters.errors import UnsupportedQuery, UpstreamProtocolError
from adapters.lynx.config import DeviceMapping, LynxConfig, validate_config
from adapters.lynx.discovery import discover as discover_types
from adapters.lynx.history import read_log
from adapters.lynx.installation import Reading, Station, stations
from adapters.lynx.streaming import stream_entities
from adapters.sdk.client import PlatformClient
from adapters.sdk.collect import Collector
from adapters.sdk.models import add_date_observed, to_model_unit
from adapters.sdk.times import from_epoch
from adapters.sdk.units import UnitError
from adapters.streaming import CallbackHost, StreamQuery

PEER = "the Lynx server"
MAX_QUERY = 2000
"""Topics longer than this (URL-encoded) are sent in a POST body."""


class LynxAdapter:
    """Devices of a Lynx installation as entities, their functions' status as attributes."""

    kind: ClassVar[str] = "lynx"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: LynxConfig = validate_config(config)
        self._log = context.logger
        self._client = PlatformClient(
            context,
            self.config.url,
            headers={"Accept": "application/json", **self.config.headers},
            secrets=(self.config.api_key or "",),
            peer=PEER,
            credentials=credentials_for(self.config.credentials, context, (self.config.url,)),
        )
        self._warned: set[str] = set()
        self._capabilities = Capabilities(
            filters=frozenset({"attrs"}), paging=False, entity_types=frozenset(self.config.types)
        )

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> LynxConfig:
        """Check an adapter section; raise ``ConfigError`` naming the key."""
        return validate_config(config)

    @property
    def capabilities(self) -> Capabilities:
        """Only the attributes are pushed down (as status topics)."""
        return self._capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Every device of the type, mapped, filtered here, ``offset``/``limit`` applied here."""
        mapping = self._mapping(query.entity_type)
        if query.limit < 0 or query.offset < 0:
            raise UnsupportedQuery("limit and offset must not be negative")
        found = await self.stations(query.entity_type, mapping)
        readings = _wanted(found, query.attrs)
        latest = await self._status([r.topic for r in readings])
        collector = Collector(query, refine=True)
        skipped: set[str] = set()
        for station in found:
            collector.extend([self._entity(query, station, latest, skipped)])
        for reason in sorted(skipped - self._warned):
            self._log.warning("Lynx values left out: %s", reason)
        self._warned |= skipped
        return collector.result(exhausted=True)

    async def stream_entities(
        self, query: StreamQuery, callbacks: CallbackHost
    ) -> AsyncIterator[SourceEntity]:
        """Status values pushed over the installation's MQTT API (``streaming.py``)."""
        mapping = self._mapping(query.entity_type)
        found = await self.stations(query.entity_type, mapping)
        source = SourceQuery(query.entity_type, attrs=query.attrs)
        skipped: set[str] = set()

        def entity(station: Station, latest: Mapping[str, Mapping[str, Any]]) -> SourceEntity:
            return self._entity(source, station, latest, skipped)

        async for changed in stream_entities(self.config, found, self._status, entity):
            yield changed

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """The log of the type's devices between ``query.after`` and ``query.before``."""
        mapping = self._mapping(query.entity_type)
        found = await self.stations(query.entity_type, mapping)
        if query.entity_id is not None:
            found = [s for s in found if s.entity_id == query.entity_id]
        return await read_log(self._client, self.config, query, found)

    async def stations(self, entity_type: str, mapping: DeviceMapping) -> list[Station]:
        """The devices of ``entity_type`` with their readings (two requests, concurrently)."""
        iid = str(self.config.installation_id)
        devices, functions = await asyncio.gather(
            self._client.get_json(self.config.api("v2", "devicex", iid)),
            self._client.get_json(self.config.api("v2", "functionx", iid)),
        )
        return stations(self.config, entity_type, mapping, devices.data, functions.data)

    async def discover(self, query: DiscoveryQuery) -> DiscoveryResult:
        """The mapped types as the installation's devices have them (see ``discovery.py``)."""
        return await discover_types(self._client, self.config, query)

    async def aclose(self) -> None:
        """Close the HTTP session (and the credentials'); later calls do nothing."""
        await self._client.aclose()

    def _mapping(self, entity_type: str) -> DeviceMapping:
        mapping = self.config.types.get(entity_type)
        if mapping is None:
            known = ", ".join(sorted(self.config.types))
            raise UnsupportedQuery(f"{entity_type} is not mapped for this installation ({known})")
        return mapping

    async def _status(self, topics: list[str]) -> dict[str, Mapping[str, Any]]:
        """The latest status entry of each topic."""
        if not topics:
            return {}
        url = self.config.api("v2", "status", str(self.config.installation_id))
        encoded = urllib.parse.urlencode([("topics", t) for t in topics])
        if len(encoded) > MAX_QUERY:
            answer = await self._client.request_json("POST", url, json_body=sorted(set(topics)))
        else:
            answer = await self._client.get_json(url.with_query([("topics", t) for t in topics]))
        if not isinstance(answer.data, list):
            raise UpstreamProtocolError("expected a JSON array of status entries")
        latest: dict[str, Mapping[str, Any]] = {}
        for entry in answer.data:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("topic"), str):
                raise UpstreamProtocolError("a status entry has no topic")
            earlier = latest.get(entry["topic"])
            if earlier is None or _stamp(entry) >= _stamp(earlier):
                latest[entry["topic"]] = entry
        return latest

    def _entity(
        self,
        query: SourceQuery,
        station: Station,
        latest: Mapping[str, Mapping[str, Any]],
        skipped: set[str],
    ) -> SourceEntity:
        attributes: dict[str, JSONValue] = {}
        stamps: list[datetime] = []
        for reading in station.readings:
            entry = latest.get(reading.topic)
            if entry is None:
                continue
            value = _value(query.entity_type, reading, entry, skipped)
            if value is None:
                continue
            stamps.append(from_epoch(entry.get("timestamp"), what="a status timestamp"))
            if query.attrs is None or reading.attribute in query.attrs:
                attributes[reading.attribute] = value
        observed_at = max(stamps, default=None)
        if query.attrs is None or "dateObserved" in query.attrs:
            add_date_observed(query.entity_type, attributes, observed_at)
        return SourceEntity(
            id=station.entity_id,
            type=query.entity_type,
            location=station.location,
            observed_at=observed_at,
            attributes=attributes,
        )


def _wanted(found: list[Station], attrs: tuple[str, ...] | None) -> list[Reading]:
    """The readings to ask for: those of ``attrs``, or every one (the time still dates them)."""
    readings = [r for s in found for r in s.readings]
    if attrs is None:
        return readings
    wanted = [r for r in readings if r.attribute in attrs]
    return wanted or readings


def _value(
    entity_type: str, reading: Reading, entry: Mapping[str, Any], skipped: set[str]
) -> JSONValue:
    if reading.message:
        msg = entry.get("msg")
        return msg if isinstance(msg, str) and msg else None
    number = entry.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise UpstreamProtocolError(f"the status of {reading.topic!r} has no numeric value")
    try:
        return to_model_unit(entity_type, reading.attribute, number, reading.unit)
    except UnitError as exc:
        skipped.add(str(exc))
        return None


def _stamp(entry: Mapping[str, Any]) -> float:
    stamp = entry.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise UpstreamProtocolError("a status entry has no numeric timestamp")
    return float(stamp)
