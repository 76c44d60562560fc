"""The units of the Smart Data Models attributes the gateway serves, and conversion into them.

An adapter whose platform states units (SensorThings ``unitOfMeasurement``, Lynx
``meta.unit``) calls ``to_model_unit``; the value comes out as the data model
defines it: °C, hPa, m/s, relative humidity as a fraction 0..1, µg/m³, ...
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import Any

from adapters.sdk.times import iso_z
from adapters.sdk.units import Unit, UnitError, convert, require, unit

_COMMON: Mapping[str, str] = {
    "temperature": "°C",
    "dewPoint": "°C",
    "relativeHumidity": "1",
    "windSpeed": "m/s",
    "windDirection": "°",
    "precipitation": "mm",
    "atmosphericPressure": "hPa",
}

MODEL_UNITS: Mapping[str, Mapping[str, str]] = {
    "WeatherObserved": {
        **_COMMON,
        "pressureTendency": "hPa",
        "snowHeight": "cm",
        "streamGauge": "cm",
        "illuminance": "lx",
        "visibility": "m",
    },
    "AirQualityObserved": {
        **_COMMON,
        "co": "mg/m³",
        "no": "µg/m³",
        "no2": "µg/m³",
        "nox": "µg/m³",
        "so2": "µg/m³",
        "o3": "µg/m³",
        "pm1": "µg/m³",
        "pm4": "µg/m³",
        "pm10": "µg/m³",
        "pm25": "µg/m³",
        "tsp": "µg/m³",
        "reliability": "1",
    },
    "WaterQualityObserved": {
        "temperature": "°C",
        "conductivity": "S/m",
        "NO3": "mg/L",
        "flow": "m³/s",
    },
    "TrafficFlowObserved": {
        "averageVehicleSpeed": "km/h",
        "averageHeadwayTime": "s",
        "averageVehicleLength": "m",
        "averageGapDistance": "m",
        "occupancy": "1",
    },
    "WaterConsumptionObserved": {
        "waterConsumption": "L",
        "maxFlow": "l/h",
        "minFlow": "l/h",
    },
    "Device": {"batteryLevel": "1", "rssi": "1"},
    "Beach": {"width": "m", "length": "m"},
    "OffStreetParking": {"occupancy": "1"},
}
"""Entity type -> attribute -> unit (as the Smart Data Models specifications give them)."""


DATE_OBSERVED: frozenset[str] = frozenset(
    {"AirQualityObserved", "TrafficFlowObserved", "WaterQualityObserved", "WeatherObserved"}
)
"""The types whose entities carry their observation time as ``dateObserved`` (issue 14: the
same keys from every platform kind; WaterConsumptionObserved's schema has none)."""


def add_date_observed(
    entity_type: str, attributes: MutableMapping[str, Any], observed_at: datetime | None
) -> None:
    """``dateObserved`` from the platform's observation time, when the model has one and no
    mapping gave it (SensorThings ``phenomenonTime``, Lynx status timestamps)."""
    if entity_type in DATE_OBSERVED and observed_at is not None:
        attributes.setdefault("dateObserved", iso_z(observed_at))


def with_date_observed(entity_type: str, names: set[str]) -> set[str]:
    """Discovery's attribute names with ``dateObserved`` where ``add_date_observed`` gives it."""
    return names | {"dateObserved"} if entity_type in DATE_OBSERVED and names else names


def model_unit(entity_type: str, attribute: str) -> Unit | None:
    """The unit of ``attribute`` in ``entity_type``'s data model, or None (unitless or unknown)."""
    symbol = MODEL_UNITS.get(entity_type, {}).get(attribute)
    if symbol is None:
        symbol = _COMMON.get(attribute)
    return require(symbol) if symbol is not None else None


def to_model_unit(entity_type: str, attribute: str, value: float, stated: str | None) -> float:
    """``value`` (in the ``stated`` unit) in the data model's unit.

    No stated unit, or an attribute without a model unit: the value as it is.
    A stated unit that is unknown or of another dimension: ``UnitError``.
    """
    target = model_unit(entity_type, attribute)
    if stated is None or not stated.strip() or target is None:
        return value
    source = unit(stated)
    if source is None:
        raise UnitError(f"unknown unit {stated!r} for {entity_type}.{attribute}")
    try:
        return convert(value, source, target)
    except UnitError as exc:
        raise UnitError(f"{entity_type}.{attribute}: {exc}") from None


__all__ = ["MODEL_UNITS", "UnitError", "model_unit", "to_model_unit"]
