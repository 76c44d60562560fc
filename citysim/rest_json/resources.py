"""The resources of the simulated open-data API, and how each shows a world entity.

Weather and air quality have bespoke shapes with their own names and units (humidity
in percent, wind in km/h, pollutants under ``pollutants``), as municipal APIs do;
the other resources show an entity's attributes as plain values (typed literals
unwrapped). Every item has ``id`` (``<city>-<NNNN>``), ``location`` (GeoJSON) and,
where the type has one, ``dateObserved``; ``observedAt`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from citysim.world.city import Entity

Shape = Callable[[Entity], dict[str, Any]]


def plain(value: Any) -> Any:
    """``value`` with JSON-LD typed literals ``{"@type": ..., "@value": v}`` replaced by ``v``."""
    if isinstance(value, dict):
        if "@value" in value:
            return plain(value["@value"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _observed(entity: Entity) -> str:
    value = entity.values.get("dateObserved")
    return str(plain(value)) if value is not None else entity.observed_at


def _generic(entity: Entity) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entity.key, "location": entity.geometry}
    item.update({k: plain(v) for k, v in entity.values.items()})
    item.pop("dateObserved", None)
    key = "dateObserved" if entity.model.observed else "observedAt"
    item[key] = _observed(entity)
    return item


def _number(value: Any, factor: float = 1.0, digits: int = 1) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(value * factor, digits)


def _weather(entity: Entity) -> dict[str, Any]:
    v = entity.values
    return {
        "id": entity.key,
        "name": f"Väderstation {entity.key}",
        "location": entity.geometry,
        "dateObserved": _observed(entity),
        "temperature": v.get("temperature"),
        "humidity": _number(v.get("relativeHumidity"), 100.0),
        "pressure": v.get("atmosphericPressure"),
        "wind": {
            "speed": _number(v.get("windSpeed"), 3.6),
            "direction": v.get("windDirection"),
        },
        "precipitation": v.get("precipitation"),
        "snowDepth": v.get("snowHeight"),
        "illuminance": v.get("illuminance"),
        "uvIndex": v.get("uVIndexMax"),
    }


_POLLUTANTS = ("no2", "no", "nox", "pm10", "pm25", "o3", "so2", "co")


def _air_quality(entity: Entity) -> dict[str, Any]:
    v = entity.values
    return {
        "id": entity.key,
        "location": entity.geometry,
        "dateObserved": _observed(entity),
        "pollutants": {name: v.get(name) for name in _POLLUTANTS},
        "index": {"value": v.get("airQualityIndex"), "level": v.get("airQualityLevel")},
        "temperature": v.get("temperature"),
        "humidity": _number(v.get("relativeHumidity"), 100.0),
    }


@dataclass(frozen=True, slots=True)
class Resource:
    """``/api/<name>``: the entities of ``type_name``, each shown by ``shape``."""

    name: str
    type_name: str
    shape: Shape


RESOURCES: Mapping[str, Resource] = {
    r.name: r
    for r in (
        Resource("weather", "WeatherObserved", _weather),
        Resource("airquality", "AirQualityObserved", _air_quality),
        Resource("beaches", "Beach", _generic),
        Resource("waterquality", "WaterQualityObserved", _generic),
        Resource("trafficflow", "TrafficFlowObserved", _generic),
        Resource("devices", "Device", _generic),
        Resource("waterconsumption", "WaterConsumptionObserved", _generic),
        Resource("carparks", "OffStreetParking", _generic),
        Resource("places", "PointOfInterest", _generic),
    )
}
"""Resource name -> resource, in path order."""
