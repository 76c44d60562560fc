"""TrafficFlowObserved (dataModel.Transportation): a lane counter on a road stretch."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from citysim.world.model import EntityModel, Sensor
from citysim.world.models.common import address, clamp, date_time, r1, r2

PERIOD = timedelta(minutes=5)
"""Each observation counts the vehicles of the five minutes before it."""


def profile(hour: float, weekday: int) -> float:
    """Share of a lane's capacity in use: two rush hours on weekdays, a midday hump at weekends."""
    if weekday >= 5:
        return 0.08 + 0.55 * math.exp(-(((hour - 13.0) / 3.5) ** 2))
    peaks = math.exp(-(((hour - 7.8) / 1.2) ** 2)) + 0.9 * math.exp(-(((hour - 16.5) / 1.6) ** 2))
    return 0.06 + 0.3 * (6.0 <= hour <= 20.0) + 0.6 * peaks


def generate(s: Sensor) -> dict[str, Any]:
    """Vehicles per period, speeds in km/h, occupancy 0..1, headway in s, length in m."""
    w, fixed, now = s.weather, s.fixed, s.now
    capacity = fixed.choice((60, 90, 120, 150))
    load = clamp(profile(w.local_hour, w.weekday) * fixed.uniform(0.5, 1.0), 0.0, 1.0)
    intensity = max(0, round(capacity * load + now.normal(0, 2)))
    limit = fixed.choice((30, 40, 50, 60, 70))
    return {
        "address": {**address(s.city, fixed), "type": "PostalAddress"},
        "averageHeadwayTime": r1(PERIOD.total_seconds() / max(intensity, 1)),
        "averageVehicleLength": r2(fixed.uniform(4.2, 6.5) + now.normal(0, 0.2)),
        "averageVehicleSpeed": r1(max(3.0, limit * (1.05 - 0.45 * load**2) + now.normal(0, 2))),
        "dateObservedFrom": date_time(s.observed - PERIOD),
        "dateObservedTo": date_time(s.observed),
        "intensity": intensity,
        "laneDirection": fixed.choice(("forward", "backward")),
        "laneId": fixed.integer(1, 3),
        "occupancy": r2(clamp(0.6 * load + now.normal(0, 0.02), 0.0, 1.0)),
    }


MODEL = EntityModel(
    type_name="TrafficFlowObserved",
    domain="Transportation",
    generate=generate,
    measured=frozenset(
        {
            "averageHeadwayTime",
            "averageVehicleLength",
            "averageVehicleSpeed",
            "intensity",
            "occupancy",
        }
    ),
    geometry="LineString",
)
