"""Typed fields for the common Smart Data Models, on top of the generic ``entities``.

Each node carries the generic fields plus the model's attributes as typed fields,
named and in the units of the Smart Data Models (units in the descriptions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.graphql.schema.types import City, CityCoverage, GeoPoint, PageInfo


def number(attributes: Mapping[str, Any], name: str) -> float | None:
    """The attribute as a float, or None when absent or not a number."""
    value = attributes.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def text(attributes: Mapping[str, Any], name: str) -> str | None:
    """The attribute as a string, or None when absent or not a string."""
    value = attributes.get(name)
    return value if isinstance(value, str) else None


@strawberry.type(description="A weather observation (Smart Data Models WeatherObserved).")
class WeatherObserved:
    id: strawberry.ID
    city: City
    location: GeoPoint | None
    observed_at: datetime | None = strawberry.field(description="Observation time, UTC.")
    temperature: float | None = strawberry.field(description="Air temperature, °C.")
    relative_humidity: float | None = strawberry.field(
        description="Relative humidity, 0..1 (1 = 100 %)."
    )
    atmospheric_pressure: float | None = strawberry.field(description="Air pressure, hPa.")
    wind_speed: float | None = strawberry.field(description="Wind speed, m/s.")
    wind_direction: float | None = strawberry.field(
        description="Direction the wind comes from, degrees clockwise from north."
    )
    precipitation: float | None = strawberry.field(description="Precipitation, l/m² (mm).")
    snow_height: float | None = strawberry.field(description="Snow depth, cm.")
    illuminance: float | None = strawberry.field(description="Illuminance, lux.")
    attributes: JSON = strawberry.field(description="Every attribute as a plain value.")


@strawberry.type(description="An air quality observation (Smart Data Models AirQualityObserved).")
class AirQualityObserved:
    id: strawberry.ID
    city: City
    location: GeoPoint | None
    observed_at: datetime | None = strawberry.field(description="Observation time, UTC.")
    no2: float | None = strawberry.field(description="Nitrogen dioxide, µg/m³.")
    pm10: float | None = strawberry.field(description="Particulate matter <= 10 µm, µg/m³.")
    pm25: float | None = strawberry.field(description="Particulate matter <= 2.5 µm, µg/m³.")
    o3: float | None = strawberry.field(description="Ozone, µg/m³.")
    co: float | None = strawberry.field(description="Carbon monoxide, mg/m³.")
    so2: float | None = strawberry.field(description="Sulphur dioxide, µg/m³.")
    air_quality_index: float | None = strawberry.field(
        description="Air quality index (scale of the publishing city)."
    )
    air_quality_level: str | None = strawberry.field(
        description='Qualitative level, e.g. "good", "moderate".'
    )
    temperature: float | None = strawberry.field(description="Air temperature, °C.")
    relative_humidity: float | None = strawberry.field(description="Relative humidity, 0..1.")
    attributes: JSON = strawberry.field(description="Every attribute as a plain value.")


@strawberry.type(description="A page of weather observations across cities.")
class WeatherObservedConnection:
    nodes: list[WeatherObserved]
    page_info: PageInfo
    total_count: int | None
    coverage: list[CityCoverage]


@strawberry.type(description="A page of air quality observations across cities.")
class AirQualityObservedConnection:
    nodes: list[AirQualityObserved]
    page_info: PageInfo
    total_count: int | None
    coverage: list[CityCoverage]
