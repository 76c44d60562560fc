"""PointOfInterest (dataModel.PointOfInterest): a library, museum or park; only visitors change."""

from __future__ import annotations

from typing import Any

from citysim.world.model import EntityModel, Sensor
from citysim.world.models.common import address, source

PLACES = (
    ("Stadsbibliotek", "library", "Stadsbiblioteket"),
    ("Konsthall", "museum", "Konsthallen"),
    ("Stadsmuseum", "museum", "Stadsmuseet"),
    ("Stadspark", "park", "Stadsparken"),
    ("Simhall", "sportsCentre", "Simhallen"),
    ("Turistbyrå", "touristInformation", "Turistbyrån"),
)


def generate(s: Sensor) -> dict[str, Any]:
    """Name, category, address and capacity stay; the visitor count follows the day."""
    fixed, now = s.fixed, s.now
    label, category, definite = fixed.choice(PLACES)
    capacity = fixed.integer(40, 400)
    open_now = 9.0 <= s.weather.local_hour <= 19.0
    visitors = (
        round(capacity * fixed.uniform(0.1, 0.6) * (1.0 + now.normal(0, 0.1))) if open_now else 0
    )
    return {
        "address": address(s.city, fixed),
        "additionalInfoURL": f"{source(s.city)}/uppleva/{s.index + 1}",
        "capacity": capacity,
        "category": [category],
        "description": f"{definite} i {s.city.name}.",
        "image": f"{source(s.city)}/bilder/poi-{s.index + 1}.jpg",
        "municipalityInfo": {"cityName": s.city.name, "district": s.city.county},
        "name": f"{label} {s.city.name} {s.index + 1}",
        "occupancy": max(0, min(capacity, visitors)),
        "priceRange": "0 kr"
        if category in ("library", "park", "touristInformation")
        else "60-120 kr",
        "refSeeAlso": [],
        "relevance": 1,
        "source": source(s.city),
        "title": f"{definite} {s.city.name}",
        "wardId": "",
        "zoneId": "",
        "zoneName": "",
    }


MODEL = EntityModel(
    type_name="PointOfInterest",
    domain="PointOfInterest",
    generate=generate,
    measured=frozenset({"occupancy"}),
    observed=False,
)
