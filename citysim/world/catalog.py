"""The entity types every simulated city publishes."""

from __future__ import annotations

from collections.abc import Mapping

from citysim.world.model import EntityModel
from citysim.world.models import (
    air_quality,
    beach,
    device,
    off_street_parking,
    point_of_interest,
    traffic_flow,
    water_consumption,
    water_quality,
    weather,
)

MODELS: tuple[EntityModel, ...] = tuple(
    sorted(
        (
            air_quality.MODEL,
            beach.MODEL,
            device.MODEL,
            off_street_parking.MODEL,
            point_of_interest.MODEL,
            traffic_flow.MODEL,
            water_consumption.MODEL,
            water_quality.MODEL,
            weather.MODEL,
        ),
        key=lambda model: model.type_name,
    )
)
"""Sorted by type name, which is also the order of their entity ids."""

BY_TYPE: Mapping[str, EntityModel] = {model.type_name: model for model in MODELS}
