"""OffStreetParking (dataModel.Parking): a municipal car park whose free spots follow the day."""

from __future__ import annotations

import math
from typing import Any

from citysim.world.model import AttrSpec, EntityModel, Sensor
from citysim.world.models.common import address, r2, source

KINDS = (
    ("P-hus", ["multiStorey", "public", "feeCharged", "barrierAccess"], ["multiLevel"]),
    ("Parkering", ["openSpace", "public", "feeCharged"], ["openSpace"]),
    ("Infartsparkering", ["openSpace", "parkAndRide", "free"], ["openSpace"]),
    ("Garage", ["underground", "public", "feeCharged", "barrierAccess"], ["multiLevel"]),
)


def busy(hour: float) -> float:
    """0..1: how full car parks are at ``hour`` local time (a working-day curve)."""
    return 0.15 + 0.7 * max(0.0, math.sin(math.pi * (hour - 7.0) / 12.0))


def generate(s: Sensor) -> dict[str, Any]:
    """Size, name and address stay; the free spots follow the hour of the day."""
    fixed, now = s.fixed, s.now
    label, category, layout = fixed.choice(KINDS)
    total = fixed.integer(40, 600)
    share = busy(s.weather.local_hour) * fixed.uniform(0.7, 1.1) + now.normal(0, 0.05)
    occupied = max(0, min(total, round(total * share)))
    return {
        "address": address(s.city, fixed),
        "allowedVehicleType": ["car"],
        "availableSpotNumber": total - occupied,
        "category": category,
        "chargeType": ["free"] if "free" in category else ["temporaryPrice"],
        "description": f"{label} som drivs av {s.city.name} kommun.",
        "layout": layout,
        "municipalityInfo": {"cityName": s.city.name, "district": s.city.county},
        "name": f"{label} {s.city.name} {s.index + 1}",
        "occupancy": r2(occupied / total),
        "occupiedSpotNumber": occupied,
        "parkingSiteId": f"P{s.index + 1}",
        "source": source(s.city),
        "totalSpotNumber": total,
    }


MODEL = EntityModel(
    type_name="OffStreetParking",
    domain="Parking",
    generate=generate,
    measured=frozenset({"availableSpotNumber", "occupancy", "occupiedSpotNumber"}),
    extra=(AttrSpec("source", "Property", None),),
    observed=False,
)
