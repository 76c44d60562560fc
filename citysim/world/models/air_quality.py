"""AirQualityObserved (dataModel.Environment): an urban air quality station."""

from __future__ import annotations

import math
from typing import Any

from citysim.world.model import AttrSpec, EntityModel, Sensor
from citysim.world.models.common import DISTRICTS, address, r1, r2, source

MICROGRAMS = "GQ"
"""UN/CEFACT code of µg/m³, as the example uses."""


def rush(hour: float, weekday: int) -> float:
    """Traffic relative to the daily mean: morning and afternoon peaks, quieter weekends."""
    peaks = math.exp(-(((hour - 7.8) / 1.3) ** 2)) + 0.9 * math.exp(-(((hour - 16.5) / 1.8) ** 2))
    daytime = 0.5 if 6.0 <= hour <= 20.0 else 0.1
    return (0.6 if weekday >= 5 else 1.0) * (daytime + peaks)


def generate(s: Sensor) -> dict[str, Any]:
    """Pollutants in µg/m³ (CO in mg/m³), plausible for a Swedish town."""
    w, fixed, now = s.weather, s.fixed, s.now
    site = fixed.uniform(0.6, 1.6)
    traffic = rush(w.local_hour, w.weekday) * site
    dilution = 1.0 + w.wind_speed / 5.0
    no2 = max(1.0, 6.0 + 22.0 * traffic * (1.3 - 0.3 * w.summer) / dilution + now.normal(0, 1.5))
    no = max(0.5, 0.5 * no2 * traffic / (1.0 + traffic) + now.normal(0, 0.5))
    washout = 0.6 if w.precipitation > 0 else 1.0
    pm10 = max(2.0, (8.0 + 9.0 * traffic + 10.0 * (1.0 - w.summer)) * washout + now.normal(0, 1.5))
    pm25 = max(1.0, 0.45 * pm10 + now.normal(0, 0.5))
    o3 = max(
        2.0, 35.0 + 35.0 * w.summer * max(0.0, math.sin(math.radians(w.sun_elevation))) - 0.4 * no2
    )
    co = 0.15 + 0.2 * traffic + now.uniform(0, 0.03)
    index = round(max(no2 / 40.0, pm10 / 40.0, pm25 / 25.0, o3 / 100.0) * 50.0)
    return {
        "co": r2(co),
        "coLevel": "low" if co < 0.5 else "moderate",
        "no": r1(no),
        "no2": r1(no2),
        "nox": r1(no2 + 1.53 * no),
        "so2": r1(1.0 + 2.0 * fixed.random() + now.uniform(0, 0.6)),
        "address": {**address(s.city, fixed), "type": "PostalAddress"},
        "airQualityIndex": index,
        "airQualityLevel": "good" if index < 34 else "moderate" if index < 67 else "unhealthy",
        "areaServed": fixed.choice(DISTRICTS),
        "precipitation": r1(w.precipitation),
        "refPointOfInterest": f"urn:ngsi-ld:PointOfInterest:{s.key}",
        "relativeHumidity": r2(w.relative_humidity),
        "reliability": r2(fixed.uniform(0.7, 0.95)),
        "source": source(s.city),
        "temperature": r1(w.temperature + fixed.normal(0, 0.5)),
        "windDirection": (round(w.wind_direction) + 180) % 360 - 180,
        "windSpeed": r2(w.wind_speed * fixed.uniform(0.5, 1.0)),
        "pm4": r1((pm10 + pm25) / 2.0),
        "tpc": round(pm25 * fixed.uniform(8, 14)),
        "tsp": round(pm10 * 1.3),
        "pm10": r1(pm10),
        "pm25": r1(pm25),
        "o3": r1(o3),
    }


MODEL = EntityModel(
    type_name="AirQualityObserved",
    domain="Environment",
    generate=generate,
    measured=frozenset(
        {
            "co",
            "no",
            "no2",
            "nox",
            "so2",
            "airQualityIndex",
            "precipitation",
            "relativeHumidity",
            "temperature",
            "windDirection",
            "windSpeed",
            "pm4",
            "tpc",
            "tsp",
            "pm10",
            "pm25",
            "o3",
        }
    ),
    extra=tuple(
        AttrSpec(name, "Property", 0.0, unit_code=MICROGRAMS) for name in ("pm10", "pm25", "o3")
    ),
)
