"""Beach (dataModel.PointOfInterest): a municipal bathing place."""

from __future__ import annotations

from typing import Any

from citysim.world.model import EntityModel, Sensor
from citysim.world.models.common import address, source

ACCESS = ("privateVehicle", "onFoot", "publicTransport", "boat")
KINDS = ("whiteSand", "urban", "calmWaters", "isolated", "blueFlag")
FACILITIES = ("promenade", "showers", "cleaningServices", "lifeGuard", "toilets", "litterBins")
PLACES = ("badplats", "strandbad", "havsbad", "sjöbad")


def occupation(temperature: float, hour: float, summer: float) -> str:
    """``none``, ``low``, ``medium`` or ``high``: warm summer afternoons fill the beaches."""
    if temperature < 14.0 or not 8.0 <= hour <= 21.0:
        return "none"
    warmth = (temperature - 14.0) / 10.0 + summer - abs(hour - 15.0) / 8.0
    return "high" if warmth > 1.2 else "medium" if warmth > 0.6 else "low"


def generate(s: Sensor) -> dict[str, Any]:
    """Names and sizes stay; the occupation rate follows the weather."""
    w, fixed = s.weather, s.fixed
    return {
        "accessType": fixed.sample(ACCESS, 1, 3),
        "address": address(s.city, fixed, street=False),
        "beachType": fixed.sample(KINDS, 1, 3),
        "description": f"Kommunal badplats i {s.city.name}.",
        "facilities": fixed.sample(FACILITIES, 1, 4),
        "length": fixed.integer(80, 900),
        "name": f"{s.city.name} {fixed.choice(PLACES)} {s.index + 1}",
        "occupationRate": occupation(w.temperature, w.local_hour, w.summer),
        "source": source(s.city),
        "width": fixed.integer(10, 60),
    }


MODEL = EntityModel(
    type_name="Beach",
    domain="PointOfInterest",
    generate=generate,
    measured=frozenset({"occupationRate"}),
    observed=False,
)
