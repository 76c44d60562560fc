"""One city's IoT Open Lynx installation, derived from its world.

Each entity of the seven types is a device (DeviceX, with its position and
NGSI-LD id in its metadata); each quantity it measures is a function (FunctionX)
with a ``topic_read``, a ``unit`` and ``device_id`` in its metadata. A number is
a status ``value``; a word (a beach's occupation, a device's state) is its ``msg``.
Status values and the log are the world's values: the newest is what the
city's NGSI-LD broker serves now; the log keeps ``HISTORY`` buckets. Ids:

- installation: the kommunkod as a number; client id: installation + 10000;
- device: ``t * per_type + i + 1``; function: ``device * 32 + q + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from citysim.sensorthings.vocabulary import (
    CELSIUS,
    CENTIMETRE,
    DEGREE,
    HECTOPASCAL,
    KM_PER_HOUR,
    KMH_FROM_MPS,
    LITRE,
    LITRE_PER_HOUR,
    LUX,
    METRE,
    METRE_PER_SECOND,
    MICROGRAM_M3,
    MICROSIEMENS_CM,
    MILLIGRAM_L,
    MILLIGRAM_M3,
    MILLIMETRE,
    NO_UNIT,
    ONE,
    PERCENT,
    SECOND,
    PlatformUnit,
    platform_value,
)
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld
from citysim.world.dice import Dice

HISTORY = 24
"""Buckets kept in the log (the newest is the current one)."""
MAX_FUNCTIONS = 32
CREATED = 1_709_251_200
"""2024-03-01T00:00:00Z, when the installation was set up (``created`` of every object)."""


@dataclass(frozen=True, slots=True)
class Kind:
    """A function type, the attribute it measures, and the units a city may use."""

    function_type: str
    attribute: str
    units: tuple[PlatformUnit, ...]


DEVICES: Mapping[str, tuple[str, tuple[Kind, ...]]] = {
    "WeatherObserved": (
        "weather_station",
        (
            Kind("temperature", "temperature", (CELSIUS,)),
            Kind("humidity", "relativeHumidity", (PERCENT,)),
            Kind("pressure", "atmosphericPressure", (HECTOPASCAL,)),
            Kind("wind_speed", "windSpeed", (METRE_PER_SECOND, KMH_FROM_MPS)),
            Kind("wind_direction", "windDirection", (DEGREE,)),
            Kind("rain", "precipitation", (MILLIMETRE,)),
            Kind("luminance", "illuminance", (LUX,)),
            Kind("snow_depth", "snowHeight", (CENTIMETRE,)),
            Kind("uv_index", "uVIndexMax", (ONE,)),
        ),
    ),
    "AirQualityObserved": (
        "air_quality_station",
        (
            Kind("no2", "no2", (MICROGRAM_M3,)),
            Kind("no", "no", (MICROGRAM_M3,)),
            Kind("nox", "nox", (MICROGRAM_M3,)),
            Kind("so2", "so2", (MICROGRAM_M3,)),
            Kind("o3", "o3", (MICROGRAM_M3,)),
            Kind("co", "co", (MILLIGRAM_M3,)),
            Kind("pm10", "pm10", (MICROGRAM_M3,)),
            Kind("pm2_5", "pm25", (MICROGRAM_M3,)),
            Kind("aqi", "airQualityIndex", (ONE,)),
            Kind("temperature", "temperature", (CELSIUS,)),
            Kind("humidity", "relativeHumidity", (PERCENT,)),
        ),
    ),
    "WaterQualityObserved": (
        "water_quality_probe",
        (
            Kind("water_temperature", "temperature", (CELSIUS,)),
            Kind("ph", "pH", (ONE,)),
            Kind("conductivity", "conductivity", (MICROSIEMENS_CM,)),
            Kind("nitrate", "NO3", (MILLIGRAM_L,)),
        ),
    ),
    "TrafficFlowObserved": (
        "traffic_counter",
        (
            Kind("vehicle_count", "intensity", (ONE,)),
            Kind("speed", "averageVehicleSpeed", (KM_PER_HOUR,)),
            Kind("vehicle_length", "averageVehicleLength", (METRE,)),
            Kind("headway", "averageHeadwayTime", (SECOND,)),
            Kind("occupancy", "occupancy", (PERCENT,)),
        ),
    ),
    "Beach": ("people_counter", (Kind("occupancy_level", "occupationRate", (NO_UNIT,)),)),
    "Device": (
        "sensor_box",
        (
            Kind("battery", "batteryLevel", (PERCENT,)),
            Kind("rssi", "rssi", (ONE,)),
            Kind("state", "deviceState", (NO_UNIT,)),
        ),
    ),
    "WaterConsumptionObserved": (
        "water_meter",
        (
            Kind("water_volume", "waterConsumption", (LITRE,)),
            Kind("flow_max", "maxFlow", (LITRE_PER_HOUR,)),
            Kind("flow_min", "minFlow", (LITRE_PER_HOUR,)),
            Kind("alarm", "alarmInProgress", (ONE,)),
            Kind("alarm_tamper", "alarmTamper", (ONE,)),
        ),
    ),
    "OffStreetParking": (
        "parking_counter",
        (
            Kind("free_spots", "availableSpotNumber", (ONE,)),
            Kind("occupied_spots", "occupiedSpotNumber", (ONE,)),
            Kind("occupancy", "occupancy", (PERCENT,)),
        ),
    ),
    "PointOfInterest": ("visitor_counter", (Kind("visitors", "occupancy", (ONE,)),)),
}
"""Entity type -> (device type, its functions in order)."""
TYPES: tuple[str, ...] = tuple(DEVICES)


@dataclass(frozen=True, slots=True)
class Device:
    """One DeviceX: the entity it stands for."""

    entity_type: str
    index: int
    id: int

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """Its functions' kinds, in order."""
        return DEVICES[self.entity_type][1]


class Installation:
    """The installation of one city: devices, functions, status and log."""

    def __init__(self, world: CityWorld) -> None:
        self.world = world
        self.id = int(world.city.kommunkod)
        self.client_id = self.id + 10_000

    def info(self) -> dict[str, Any]:
        """An InstallationInfo object."""
        return {
            "id": self.id,
            "name": f"{self.world.city.name} kommun",
            "client_id": self.client_id,
            "organization_id": 1,
            "capabilities": ["lynx"],
            "assigned": True,
        }

    def devices(self) -> Iterator[Device]:
        """Every device, by id."""
        per_type = self.world.per_type
        for t, entity_type in enumerate(TYPES):
            for i in range(per_type):
                yield Device(entity_type, i, t * per_type + i + 1)

    def device_json(self, device: Device) -> dict[str, Any]:
        """A DeviceX object."""
        entity = self._entity(device, self.world.bucket())
        lon, lat = _centre(entity.geometry)
        return {
            "id": device.id,
            "type": DEVICES[device.entity_type][0],
            "installation_id": self.id,
            "meta": {
                "name": f"{device.entity_type} {entity.key}",
                "latitude": f"{lat}",
                "longitude": f"{lon}",
                "ngsi_id": entity.id,
            },
            "created": CREATED,
            "updated": CREATED,
        }

    def functions(self) -> Iterator[tuple[Device, int, dict[str, Any]]]:
        """Every function: its device, its position there, and its FunctionX object."""
        for device in self.devices():
            key = self._entity(device, self.world.bucket()).key
            for q, kind in enumerate(device.kinds):
                yield (
                    device,
                    q,
                    {
                        "id": device.id * MAX_FUNCTIONS + q + 1,
                        "type": kind.function_type,
                        "installation_id": self.id,
                        "meta": {
                            "name": f"{kind.function_type} {key}",
                            "device_id": str(device.id),
                            "topic_read": self.topic(device, kind, key),
                            **({"unit": self.unit(kind).symbol} if self.unit(kind).symbol else {}),
                            "format": "%.2f",
                        },
                        "created": CREATED,
                        "updated": CREATED,
                    },
                )

    def topic(self, device: Device, kind: Kind, key: str) -> str:
        """The MQTT topic a function's values are published on."""
        return (
            f"obj/{self.world.city.id}/{DEVICES[device.entity_type][0]}/{key}/{kind.function_type}"
        )

    def unit(self, kind: Kind) -> PlatformUnit:
        """The unit this city reports ``kind`` in."""
        if len(kind.units) == 1:
            return kind.units[0]
        dice = Dice(self.world.seed, self.world.city.id, "lynx-unit", kind.function_type)
        return dice.choice(kind.units)

    def entries(self, buckets: range, entity_type: str | None = None) -> Iterator[dict[str, Any]]:
        """Log entries (one per function and bucket), bucket by bucket, oldest first; only
        the devices of ``entity_type`` when given."""
        for bucket in buckets:
            for device in self.devices():
                if entity_type is not None and device.entity_type != entity_type:
                    continue
                entity = self._entity(device, bucket)
                key = entity.key
                stamp = datetime.fromisoformat(entity.observed_at).timestamp()
                for kind in device.kinds:
                    value = platform_value(entity.values.get(kind.attribute), self.unit(kind))
                    if isinstance(value, bool) or value is None:
                        continue
                    number = value if isinstance(value, int | float) else None
                    yield {
                        "client_id": self.client_id,
                        "installation_id": self.id,
                        "timestamp": round(stamp, 3),
                        "topic": self.topic(device, kind, key),
                        "value": float(number) if number is not None else 0.0,
                        "msg": "" if number is not None else str(value),
                    }

    def current(self) -> range:
        """The current bucket, as a range."""
        bucket = self.world.bucket()
        return range(bucket, bucket + 1)

    def history(self) -> range:
        """The buckets in the log."""
        bucket = self.world.bucket()
        return range(bucket - HISTORY + 1, bucket + 1)

    def _entity(self, device: Device, bucket: int) -> Any:
        return self.world.entities(BY_TYPE[device.entity_type], bucket)[device.index]


def _centre(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """A Point's position; a line's mean of its distinct vertices (lon, lat)."""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return lon, lat
    distinct = list(dict.fromkeys(tuple(c) for c in geometry["coordinates"]))
    return (
        math.fsum(c[0] for c in distinct) / len(distinct),
        math.fsum(c[1] for c in distinct) / len(distinct),
    )
