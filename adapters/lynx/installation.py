"""An installation's devices and functions, read once per query and grouped by entity type.

``Station`` is one device of a mapped type with its position, entity id and the
functions that give its attributes (``Reading``: topic, attribute, unit, and
whether the value is the status ``value`` or its ``msg``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.contract import GeoPoint
from adapters.errors import UpstreamProtocolError
from adapters.lynx.config import DeviceMapping, LynxConfig


@dataclass(frozen=True, slots=True)
class Reading:
    """A function that gives one attribute."""

    topic: str
    attribute: str
    unit: str | None
    message: bool
    """True: the attribute is the status ``msg`` (a word), else its ``value``."""


@dataclass(frozen=True, slots=True)
class Station:
    """A device of a mapped type: its entity id, position and readings."""

    device_id: int
    entity_id: str
    location: GeoPoint | None
    readings: tuple[Reading, ...]


def stations(
    config: LynxConfig, entity_type: str, mapping: DeviceMapping, devices: object, functions: object
) -> list[Station]:
    """The stations of ``entity_type``, by device id."""
    if not isinstance(devices, list) or not isinstance(functions, list):
        raise UpstreamProtocolError("expected JSON arrays of devices and of functions")
    by_device: dict[str, list[Reading]] = {}
    for function in functions:
        if not isinstance(function, Mapping):
            raise UpstreamProtocolError("a function is not a JSON object")
        reading = _reading(function, mapping)
        meta = _meta(function)
        if reading is not None and isinstance(meta.get("device_id"), str):
            by_device.setdefault(meta["device_id"], []).append(reading)
    found = []
    for device in devices:
        if not isinstance(device, Mapping):
            raise UpstreamProtocolError("a device is not a JSON object")
        device_id = device.get("id")
        if isinstance(device_id, bool) or not isinstance(device_id, int):
            raise UpstreamProtocolError("a device has no numeric id")
        if device.get("type") != mapping.device_type:
            continue
        meta = _meta(device)
        found.append(
            Station(
                device_id=device_id,
                entity_id=_entity_id(config, entity_type, device_id, meta),
                location=_location(meta, config),
                readings=tuple(by_device.get(str(device_id), ())),
            )
        )
    return sorted(found, key=lambda s: s.device_id)


def _reading(function: Mapping[str, Any], mapping: DeviceMapping) -> Reading | None:
    kind = function.get("type")
    meta = _meta(function)
    topic = meta.get("topic_read")
    if not isinstance(kind, str) or not isinstance(topic, str) or not topic:
        return None
    unit = meta.get("unit") if isinstance(meta.get("unit"), str) else None
    if kind in mapping.functions:
        return Reading(topic, mapping.functions[kind], unit, message=False)
    if kind in mapping.messages:
        return Reading(topic, mapping.messages[kind], None, message=True)
    return None


def _meta(thing: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = thing.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def _entity_id(
    config: LynxConfig, entity_type: str, device_id: int, meta: Mapping[str, Any]
) -> str:
    if config.id_meta is not None:
        value = meta.get(config.id_meta)
        if not isinstance(value, str) or not value:
            raise UpstreamProtocolError(f"device {device_id} has no {config.id_meta!r} metadata")
        return value
    return f"urn:ngsi-ld:{entity_type}:{config.installation_id}-{device_id}"


def _location(meta: Mapping[str, Any], config: LynxConfig) -> GeoPoint | None:
    try:
        lat = float(meta[config.latitude_meta])
        lon = float(meta[config.longitude_meta])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GeoPoint(lat=lat, lon=lon)
