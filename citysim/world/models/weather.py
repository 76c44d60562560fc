"""WeatherObserved (dataModel.Weather): a city weather station."""

from __future__ import annotations

import math
from typing import Any

from citysim.world.model import EntityModel, Sensor
from citysim.world.models.common import address, clamp, r1, r2, source


def generate(s: Sensor) -> dict[str, Any]:
    """Temperature in °C, pressure in hPa, humidity 0..1, wind in m/s, snow in cm."""
    w, fixed, now = s.weather, s.fixed, s.now
    daylight = max(0.0, math.sin(math.radians(w.sun_elevation)))
    return {
        "address": address(s.city, fixed, street=False),
        "atmosphericPressure": r1(w.pressure + fixed.normal(0, 0.6) + now.normal(0, 0.1)),
        "dataProvider": f"{s.city.name} kommun",
        "illuminance": round(
            110_000 * daylight * (1.0 - 0.7 * w.cloud_cover) * fixed.uniform(0.9, 1)
        ),
        "precipitation": r1(w.precipitation * fixed.uniform(0.7, 1.3)),
        "pressureTendency": r1(w.pressure_tendency),
        "refDevice": f"urn:ngsi-ld:Device:{s.key}",
        "relativeHumidity": r2(clamp(w.relative_humidity + now.normal(0, 0.02), 0.05, 1.0)),
        "snowHeight": round(w.snow_depth * fixed.uniform(0.8, 1.2)),
        "source": source(s.city),
        "streamGauge": round(fixed.uniform(30, 90) + 10 * w.precipitation),
        "temperature": r1(w.temperature + fixed.normal(0, 0.7) + now.normal(0, 0.2)),
        "uVIndexMax": r1(8.0 * daylight * (1.0 - 0.5 * w.cloud_cover)),
        "windDirection": (round(w.wind_direction + fixed.normal(0, 15)) + 180) % 360 - 180,
        "windSpeed": r1(max(0.0, w.wind_speed * fixed.uniform(0.6, 1.3) + now.normal(0, 0.4))),
    }


MODEL = EntityModel(
    type_name="WeatherObserved",
    domain="Weather",
    generate=generate,
    measured=frozenset(
        {
            "atmosphericPressure",
            "illuminance",
            "precipitation",
            "pressureTendency",
            "relativeHumidity",
            "snowHeight",
            "streamGauge",
            "temperature",
            "uVIndexMax",
            "windDirection",
            "windSpeed",
        }
    ),
)
