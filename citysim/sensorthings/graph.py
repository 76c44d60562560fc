"""The SensorThings entity graph of one city, derived from its world.

Every entity of the seven types is a Thing (a station) with one
Location, one HistoricalLocation, one FeatureOfInterest, and a Datastream per
quantity it measures (``vocabulary.QUANTITIES``); each Datastream has an
Observation per time bucket of the last ``HISTORY`` buckets, the newest being
what the NGSI-LD broker of the same city serves now. Ids are integers:

- Thing, Location, HistoricalLocation, FeatureOfInterest: ``t * per_type + i + 1``
  (``t`` the type's position in ``vocabulary.TYPES``, ``i`` the entity's index);
- Datastream: ``(thing - 1) * 32 + q + 1`` (``q`` the quantity's position);
- Sensor: ``t + 1``; ObservedProperty: the position of its name, plus one;
- Observation: ``datastream * 10**8 + bucket % 10**8``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citysim.sensorthings.vocabulary import (
    NO_UNIT,
    QUANTITIES,
    TYPES,
    PlatformUnit,
    Quantity,
    platform_value,
    unit_for,
)
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld
from citysim.world.models.common import iso

HISTORY = 24
"""Buckets of Observations kept per Datastream (the newest is the current one)."""
MAX_QUANTITIES = 32
OBSERVATION_BASE = 10**8
INSTALLED = datetime(2024, 3, 1, tzinfo=UTC)
"""When every station was put where it stands (its HistoricalLocation)."""

CATEGORIES = {
    "WeatherObserved": ("weather", "Väderstation"),
    "AirQualityObserved": ("air-quality", "Luftkvalitetsstation"),
    "WaterQualityObserved": ("water-quality", "Vattenkvalitetsstation"),
    "TrafficFlowObserved": ("traffic", "Trafikräknare"),
    "WaterConsumptionObserved": ("water-meter", "Vattenmätare"),
    "Beach": ("beach", "Badplats"),
    "Device": ("device", "Sensorlåda"),
    "OffStreetParking": ("parking", "Parkering"),
    "PointOfInterest": ("poi", "Besöksmål"),
}
SENSORS = {
    "WeatherObserved": "Vaisala WXT536 weather transmitter",
    "AirQualityObserved": "Airpointer multi-pollutant monitor",
    "WaterQualityObserved": "YSI EXO2 multiparameter sonde",
    "TrafficFlowObserved": "Inductive loop vehicle counter",
    "WaterConsumptionObserved": "Kamstrup flowIQ water meter",
    "Beach": "Camera-based people counter",
    "Device": "Device self-diagnostics",
    "OffStreetParking": "Barrier and loop spot counter",
    "PointOfInterest": "Entrance people counter",
}


@dataclass(frozen=True, slots=True)
class Station:
    """One Thing: its entity type, the entity's index, and its id."""

    entity_type: str
    index: int
    id: int

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        """What it measures, one Datastream each."""
        return QUANTITIES[self.entity_type]


class Graph:
    """Ids, properties and navigation of one city's SensorThings entities, in one bucket."""

    def __init__(self, world: CityWorld, bucket: int) -> None:
        self.world = world
        self.bucket = bucket
        self.per_type = world.per_type

    # --- ids -------------------------------------------------------------------------------

    def stations(self) -> Iterator[Station]:
        """Every Thing, by id."""
        for t, entity_type in enumerate(TYPES):
            for i in range(self.per_type):
                yield Station(entity_type, i, t * self.per_type + i + 1)

    def station(self, thing_id: int) -> Station | None:
        """The Thing with ``thing_id``, or None."""
        t, i = divmod(thing_id - 1, self.per_type) if self.per_type else (-1, -1)
        if thing_id < 1 or not 0 <= t < len(TYPES):
            return None
        return Station(TYPES[t], i, thing_id)

    def datastream(self, datastream_id: int) -> tuple[Station, int] | None:
        """The station and quantity index of a Datastream id, or None."""
        thing, q = divmod(datastream_id - 1, MAX_QUANTITIES)
        station = self.station(thing + 1) if datastream_id >= 1 else None
        if station is None or q >= len(station.quantities):
            return None
        return station, q

    def datastream_ids(self, station: Station) -> range:
        """The ids of a station's Datastreams."""
        first = (station.id - 1) * MAX_QUANTITIES + 1
        return range(first, first + len(station.quantities))

    def buckets(self) -> range:
        """The buckets with Observations, oldest first."""
        return range(self.bucket - HISTORY + 1, self.bucket + 1)

    def observation(self, observation_id: int) -> tuple[int, int] | None:
        """``(datastream id, bucket)`` of an Observation id, or None."""
        datastream_id, low = divmod(observation_id, OBSERVATION_BASE)
        for bucket in self.buckets():
            if bucket % OBSERVATION_BASE == low and self.datastream(datastream_id) is not None:
                return datastream_id, bucket
        return None

    # --- properties ------------------------------------------------------------------------

    def thing(self, station: Station) -> dict[str, Any]:
        """The Thing's own properties."""
        entity = self._entity(station, self.bucket)
        category, label = CATEGORIES[station.entity_type]
        values = entity.values
        measured = station_model(station).measured
        properties: dict[str, Any] = {
            name: _plain(value)
            for name, value in values.items()
            if name not in measured and not name.startswith("dateObserved")
        }
        # the station's own keys win over an attribute of the same name (a car park's category)
        properties.update(
            category=category, ngsiId=entity.id, operator=f"{self.world.city.name} kommun"
        )
        return {
            "name": f"{label} {entity.key}",
            "description": f"{label} i {self.world.city.name}",
            "properties": properties,
        }

    def location(self, station: Station) -> dict[str, Any]:
        """The Location's own properties (GeoJSON, WGS84)."""
        entity = self._entity(station, self.bucket)
        return {
            "name": f"Plats {entity.key}",
            "description": f"Where {entity.key} stands",
            "encodingType": "application/geo+json",
            "location": entity.geometry,
        }

    def historical_location(self, station: Station) -> dict[str, Any]:
        """The HistoricalLocation's own properties."""
        return {"time": iso(INSTALLED)}

    def feature(self, station: Station) -> dict[str, Any]:
        """The FeatureOfInterest's own properties (the station's surroundings)."""
        location = self.location(station)
        return {
            "name": location["name"],
            "description": "The surroundings of the station",
            "encodingType": "application/geo+json",
            "feature": location["location"],
        }

    def datastream_properties(self, station: Station, q: int) -> dict[str, Any]:
        """The Datastream's own properties."""
        quantity = station.quantities[q]
        unit = self.unit(quantity)
        first = self._entity(station, self.buckets()[0]).observed_at
        last = self._entity(station, self.bucket).observed_at
        location = self.location(station)["location"]
        return {
            "name": f"{quantity.name} {self._entity(station, self.bucket).key}",
            "description": quantity.description,
            "observationType": quantity.observation_type,
            "unitOfMeasurement": unit_json(unit),
            "observedArea": location,
            "phenomenonTime": f"{first}/{last}",
            "resultTime": f"{first}/{last}",
        }

    def unit(self, quantity: Quantity) -> PlatformUnit:
        """The unit this city reports ``quantity`` in."""
        return unit_for(quantity, self.world.seed, self.world.city.id)

    def observation_properties(self, station: Station, q: int, bucket: int) -> dict[str, Any]:
        """One Observation's own properties."""
        entity = self._entity(station, bucket)
        quantity = station.quantities[q]
        value = entity.values.get(quantity.attribute)
        return {
            "phenomenonTime": entity.observed_at,
            "resultTime": entity.observed_at,
            "result": platform_value(value, self.unit(quantity)),
            "resultQuality": None,
            "validTime": None,
            "parameters": None,
        }

    def sensor(self, entity_type: str) -> dict[str, Any]:
        """The Sensor's own properties."""
        return {
            "name": SENSORS[entity_type],
            "description": f"{SENSORS[entity_type]} ({CATEGORIES[entity_type][0]})",
            "encodingType": "text/html",
            "metadata": "https://example.org/datasheets/" + SENSORS[entity_type].split()[0].lower(),
        }

    def observed_properties(self) -> Sequence[Quantity]:
        """Every ObservedProperty, by id (one per distinct name)."""
        return _observed_properties()

    def _entity(self, station: Station, bucket: int) -> Any:
        return self.world.entities(BY_TYPE[station.entity_type], bucket)[station.index]


def station_model(station: Station) -> Any:
    """The world's model of a station's entity type."""
    return BY_TYPE[station.entity_type]


def _plain(value: Any) -> Any:
    """JSON-LD typed literals (``{"@type": "DateTime", "@value": v}``) as their value."""
    if isinstance(value, dict):
        if "@value" in value:
            return value["@value"]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def unit_json(unit: PlatformUnit) -> Mapping[str, str | None]:
    """A ``unitOfMeasurement``: all null for observations without a unit (categories)."""
    if unit is NO_UNIT:
        return {"name": None, "symbol": None, "definition": None}
    return dict(unit.as_json())


@functools.cache
def _observed_properties() -> tuple[Quantity, ...]:
    seen: dict[str, Quantity] = {}
    for quantities in QUANTITIES.values():
        for quantity in quantities:
            seen.setdefault(quantity.name, quantity)
    return tuple(seen.values())


def observed_property_id(quantity: Quantity) -> int:
    """The id of the ObservedProperty ``quantity`` is reported under."""
    names = [q.name for q in _observed_properties()]
    return names.index(quantity.name) + 1
