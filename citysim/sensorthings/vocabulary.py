"""What a simulated SensorThings server publishes for each measured Smart Data Models attribute.

Each attribute becomes an ObservedProperty (a human name, as FROST deployments
use them, and a definition URI) measured in a unit of measurement. Some
quantities come in a unit other than the data model's, chosen per city (°F or K
for temperature, Pa for pressure, km/h for wind, % for humidity and occupancy,
µS/cm for conductivity), as real servers do; values are converted here, to 12
significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from citysim.world.dice import Dice

QUDT = "http://qudt.org/vocab/unit/"
SDM = "https://smartdatamodels.org/"
CATEGORY = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation"
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"


@dataclass(frozen=True, slots=True)
class PlatformUnit:
    """A ``unitOfMeasurement`` and how a data-model value is written in it."""

    name: str
    symbol: str
    definition: str
    from_model: Callable[[float], float] = lambda v: v

    def as_json(self) -> dict[str, str]:
        """The ``unitOfMeasurement`` object."""
        return {"name": self.name, "symbol": self.symbol, "definition": self.definition}


def _u(
    name: str, symbol: str, code: str, from_model: Callable[[float], float] = lambda v: v
) -> PlatformUnit:
    return PlatformUnit(name, symbol, QUDT + code, from_model)


CELSIUS = _u("degree Celsius", "°C", "DEG_C")
KELVIN = _u("kelvin", "K", "K", lambda c: c + 273.15)
FAHRENHEIT = _u("degree Fahrenheit", "°F", "DEG_F", lambda c: c * 9 / 5 + 32)
HECTOPASCAL = _u("hectopascal", "hPa", "HectoPA")
PASCAL = _u("pascal", "Pa", "PA", lambda h: h * 100)
METRE_PER_SECOND = _u("metre per second", "m/s", "M-PER-SEC")
KM_PER_HOUR = _u("kilometre per hour", "km/h", "KiloM-PER-HR")
KMH_FROM_MPS = _u("kilometre per hour", "km/h", "KiloM-PER-HR", lambda v: v * 3.6)
PERCENT = _u("percent", "%", "PERCENT", lambda f: f * 100)
DEGREE = _u("degree", "°", "DEG")
MILLIMETRE = _u("millimetre", "mm", "MilliM")
CENTIMETRE = _u("centimetre", "cm", "CentiM")
METRE = _u("metre", "m", "M")
SECOND = _u("second", "s", "SEC")
LUX = _u("lux", "lx", "LUX")
ONE = _u("one", "1", "UNITLESS")
MICROGRAM_M3 = _u("microgram per cubic metre", "µg/m³", "MicroGM-PER-M3")
MILLIGRAM_M3 = _u("milligram per cubic metre", "mg/m³", "MilliGM-PER-M3")
MILLIGRAM_L = _u("milligram per litre", "mg/L", "MilliGM-PER-L")
MICROSIEMENS_CM = _u("microsiemens per centimetre", "µS/cm", "MicroS-PER-CentiM", lambda s: s * 1e4)
CUBIC_METRE_S = _u("cubic metre per second", "m³/s", "M3-PER-SEC")
LITRE = _u("litre", "L", "L")
LITRE_PER_HOUR = _u("litre per hour", "l/h", "L-PER-HR")
NO_UNIT = PlatformUnit("", "", "")


@dataclass(frozen=True, slots=True)
class Quantity:
    """One measured attribute as an ObservedProperty, and the units a city may report it in."""

    attribute: str
    name: str
    description: str
    units: tuple[PlatformUnit, ...]
    observation_type: str = MEASUREMENT

    @property
    def definition(self) -> str:
        """The ObservedProperty's definition URI."""
        return f"{SDM}{self.attribute}"


def _q(
    attribute: str, name: str, description: str, *units: PlatformUnit, kind: str = MEASUREMENT
) -> Quantity:
    return Quantity(attribute, name, description, units or (ONE,), kind)


_AIR = (
    _q("temperature", "air temperature", "Temperature of the air", CELSIUS, KELVIN, FAHRENHEIT),
    _q("relativeHumidity", "relative humidity", "Relative humidity of the air", PERCENT),
    _q("windSpeed", "wind speed", "Mean wind speed", METRE_PER_SECOND, KMH_FROM_MPS),
    _q("windDirection", "wind direction", "Direction the wind comes from", DEGREE),
    _q("precipitation", "precipitation", "Precipitation in the last hour", MILLIMETRE),
)

QUANTITIES: Mapping[str, tuple[Quantity, ...]] = {
    "WeatherObserved": (
        *_AIR,
        _q(
            "atmosphericPressure",
            "air pressure",
            "Air pressure at station level",
            HECTOPASCAL,
            PASCAL,
        ),
        _q(
            "pressureTendency",
            "pressure tendency",
            "Change of air pressure in 3 hours",
            HECTOPASCAL,
            PASCAL,
        ),
        _q("illuminance", "illuminance", "Illuminance", LUX),
        _q("snowHeight", "snow depth", "Depth of snow on the ground", CENTIMETRE),
        _q("streamGauge", "stream gauge", "Water level of the nearest stream", CENTIMETRE),
        _q("uVIndexMax", "UV index", "Maximum UV index", ONE),
    ),
    "AirQualityObserved": (
        *_AIR,
        _q("no2", "NO2 concentration", "Nitrogen dioxide", MICROGRAM_M3),
        _q("no", "NO concentration", "Nitrogen monoxide", MICROGRAM_M3),
        _q("nox", "NOx concentration", "Nitrogen oxides", MICROGRAM_M3),
        _q("so2", "SO2 concentration", "Sulphur dioxide", MICROGRAM_M3),
        _q("o3", "O3 concentration", "Ozone", MICROGRAM_M3),
        _q("co", "CO concentration", "Carbon monoxide", MILLIGRAM_M3),
        _q("pm10", "PM10 concentration", "Particulate matter up to 10 µm", MICROGRAM_M3),
        _q("pm25", "PM2.5 concentration", "Particulate matter up to 2.5 µm", MICROGRAM_M3),
        _q("pm4", "PM4 concentration", "Particulate matter up to 4 µm", MICROGRAM_M3),
        _q("tsp", "TSP concentration", "Total suspended particles", MICROGRAM_M3),
        _q("tpc", "particle count", "Total particle count", ONE, kind=COUNT),
        _q("airQualityIndex", "air quality index", "Air quality index", ONE, kind=COUNT),
    ),
    "WaterQualityObserved": (
        _q("temperature", "water temperature", "Temperature of the water", CELSIUS, FAHRENHEIT),
        _q("pH", "pH", "Acidity of the water", ONE),
        _q("conductivity", "electrical conductivity", "Conductivity of the water", MICROSIEMENS_CM),
        _q("NO3", "nitrate concentration", "Nitrate in the water", MILLIGRAM_L),
        _q("flow", "water flow", "Flow of the stream", CUBIC_METRE_S),
    ),
    "TrafficFlowObserved": (
        _q("intensity", "vehicle count", "Vehicles in the period", ONE, kind=COUNT),
        _q(
            "averageVehicleSpeed",
            "average vehicle speed",
            "Mean speed of the vehicles",
            KM_PER_HOUR,
        ),
        _q("averageVehicleLength", "average vehicle length", "Mean length of the vehicles", METRE),
        _q("averageHeadwayTime", "average headway", "Mean time between vehicles", SECOND),
        _q("occupancy", "lane occupancy", "Share of time the lane is occupied", PERCENT),
    ),
    "WaterConsumptionObserved": (
        _q("waterConsumption", "water meter reading", "Cumulative water volume", LITRE),
        _q("maxFlow", "maximum flow", "Maximum flow in the period", LITRE_PER_HOUR),
        _q("minFlow", "minimum flow", "Minimum flow in the period", LITRE_PER_HOUR),
        _q("alarmInProgress", "alarm in progress", "1 while an alarm is raised", ONE, kind=COUNT),
        _q("alarmTamper", "tamper alarm", "1 when the meter was tampered with", ONE, kind=COUNT),
        _q(
            "alarmFlowPersistence",
            "flow persistence alarm",
            "Leak suspicion",
            NO_UNIT,
            kind=CATEGORY,
        ),
    ),
    "Beach": (
        _q("occupationRate", "beach occupation", "How crowded it is", NO_UNIT, kind=CATEGORY),
    ),
    "Device": (
        _q("batteryLevel", "battery level", "Charge left in the battery", PERCENT),
        _q("rssi", "signal strength", "Relative received signal strength", ONE),
        _q("deviceState", "device state", "Operating state of the device", NO_UNIT, kind=CATEGORY),
    ),
    "OffStreetParking": (
        _q("availableSpotNumber", "free spots", "Parking spots free now", ONE, kind=COUNT),
        _q("occupiedSpotNumber", "occupied spots", "Parking spots taken now", ONE, kind=COUNT),
        _q("occupancy", "parking occupancy", "Share of the spots taken", PERCENT),
    ),
    "PointOfInterest": (_q("occupancy", "visitors", "People inside now", ONE, kind=COUNT),),
}
"""Entity type -> its quantities, in the order of the Datastreams of each Thing."""

TYPES: tuple[str, ...] = tuple(QUANTITIES)
"""The entity types a SensorThings server publishes, in the order of their Things' ids."""


def unit_for(quantity: Quantity, seed: int, city_id: str) -> PlatformUnit:
    """The unit ``city_id`` reports ``quantity`` in (the same for all its stations)."""
    if len(quantity.units) == 1:
        return quantity.units[0]
    return Dice(seed, city_id, "sensorthings-unit", quantity.name).choice(quantity.units)


def platform_value(value: object, unit: PlatformUnit) -> object:
    """A data-model value as the server reports it in ``unit`` (non-numbers as they are)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    converted = unit.from_model(value)
    if isinstance(value, int) and converted == value:
        return value
    return _significant(float(converted))


def _significant(value: float, digits: int = 12) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
