"""Plausible Swedish weather for a city at a moment: season, time of day, passing fronts.

A deterministic function of (seed, city, moment). Smooth in time, so consecutive
buckets differ a little, not wildly; every sensor of a city shares the same
conditions and adds its own small offsets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from citysim.municipalities import Municipality
from citysim.world.dice import Dice

_REFERENCE_LAT = 55.6
"""Malmö, where the seasonal curve below is calibrated."""


@dataclass(frozen=True, slots=True)
class Conditions:
    """What the sky over one city is doing at one moment (units of the Smart Data Models)."""

    temperature: float
    """Air temperature, °C."""
    relative_humidity: float
    """0..1."""
    pressure: float
    """Atmospheric pressure, hPa."""
    pressure_tendency: float
    """hPa per 3 hours."""
    wind_speed: float
    """m/s."""
    wind_direction: float
    """Degrees, where the wind comes from."""
    precipitation: float
    """l/m² in the last hour."""
    snow_depth: float
    """cm."""
    sun_elevation: float
    """Degrees above the horizon."""
    cloud_cover: float
    """0 (clear) .. 1 (overcast)."""
    summer: float
    """0 at midwinter .. 1 at midsummer."""
    local_hour: float
    """Hour of the day in Swedish local time (CET/CEST)."""
    weekday: int
    """0 Monday .. 6 Sunday, local time."""


def conditions(seed: int, city: Municipality, moment: datetime) -> Conditions:
    """The weather over ``city`` at ``moment`` (timezone-aware)."""
    epoch_days = moment.timestamp() / 86400.0
    doy = moment.timetuple().tm_yday
    summer = (1.0 - math.cos(2.0 * math.pi * (doy - 20) / 365.25)) / 2.0
    north = city.lat - _REFERENCE_LAT
    phases = Dice(seed, city.id, "climate")
    p1, p2, p3, gust = (phases.random() for _ in range(4))
    front = _front(epoch_days, p1, p2)
    dst = 1.0 if 86 <= doy <= 300 else 0.0
    utc_hour = moment.hour + moment.minute / 60.0 + moment.second / 3600.0
    local_hour = (utc_hour + 1.0 + dst) % 24.0
    weekday = (int(epoch_days + (1.0 + dst) / 24.0) + 3) % 7  # 1970-01-01 was a Thursday
    seasonal = 17.5 * summer - north * (1.1 - 0.6 * summer)
    diurnal = (2.0 + 3.0 * summer) * math.sin(2.0 * math.pi * (local_hour - 9.0) / 24.0)
    temperature = seasonal + diurnal + front
    hour_dice = Dice(seed, city.id, "rain", int(epoch_days * 24))
    raining = hour_dice.chance(0.09 + 0.05 * (1.0 - summer) + max(0.0, -front) * 0.02)
    precipitation = round(hour_dice.uniform(0.2, 3.5), 1) if raining else 0.0
    cloud = min(1.0, max(0.0, 0.55 - 0.08 * front + (0.4 if raining else 0.0)))
    humidity = 0.62 + 0.2 * (1.0 - summer) - 0.12 * diurnal / 5.0 + (0.15 if raining else 0.0)
    pressure = _pressure(epoch_days, p1, p2, p3)
    tendency = pressure - _pressure(epoch_days - 0.125, p1, p2, p3)
    wind = 2.0 + 2.0 * (1.0 - summer) + abs(front) * 0.4 + 2.0 * gust
    direction = (225.0 + 60.0 * math.sin(2 * math.pi * epoch_days / 5.3)) % 360.0
    snow = max(0.0, -(seasonal + front * 0.3)) * 3.0 * (1.0 + max(0.0, north) / 16.0)
    return Conditions(
        temperature=temperature,
        relative_humidity=min(1.0, max(0.2, humidity)),
        pressure=pressure,
        pressure_tendency=tendency,
        wind_speed=wind,
        wind_direction=direction,
        precipitation=precipitation,
        snow_depth=snow,
        sun_elevation=_sun_elevation(city, doy, utc_hour),
        cloud_cover=cloud,
        summer=summer,
        local_hour=local_hour,
        weekday=weekday,
    )


def _front(epoch_days: float, p1: float, p2: float) -> float:
    """Temperature anomaly of passing weather systems, °C."""
    return 3.5 * math.sin(2 * math.pi * (epoch_days / 4.3 + p1)) + 2.0 * math.sin(
        2 * math.pi * (epoch_days / 9.1 + p2)
    )


def _pressure(epoch_days: float, p1: float, p2: float, p3: float) -> float:
    wave = 6.0 * math.sin(2 * math.pi * (epoch_days / 6.7 + p3))
    return 1013.0 - 3.0 * _front(epoch_days, p1, p2) + wave


def _sun_elevation(city: Municipality, doy: int, utc_hour: float) -> float:
    declination = math.radians(23.44) * math.sin(2.0 * math.pi * (284 + doy) / 365.0)
    hour_angle = math.radians(15.0 * (utc_hour + city.lon / 15.0 - 12.0))
    lat = math.radians(city.lat)
    sine = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(
        hour_angle
    )
    return math.degrees(math.asin(max(-1.0, min(1.0, sine))))
