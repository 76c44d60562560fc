"""The object types of the schema that every caller meets (docs/architecture.md, "One request")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.federation.model import Federation
from gateway.graphql.schema.offers import CityEntityType, resolve_city_types
from gateway.query.coverage import CoverageStatus as _CoverageStatus

CoverageStatus = strawberry.enum(
    _CoverageStatus, description="How a city's part of the answer ended."
)


@strawberry.type(description="The data platform a city runs.")
class Platform:
    kind: str = strawberry.field(description='Adapter kind, e.g. "ngsi-ld".')


@strawberry.type(description="A municipality of the federation.")
class City:
    id: strawberry.ID = strawberry.field(
        description='Key in the federation file, lower-case ASCII: "malmo", "goteborg".'
    )
    name: str = strawberry.field(description='Official name, e.g. "Malmö".')
    kommunkod: str = strawberry.field(description='Four-digit municipality code, e.g. "1280".')
    platform: Platform

    types: list[CityEntityType] = strawberry.field(
        resolver=resolve_city_types,
        description="The entity types this city shares, as you may know them: counts and "
        "attributes with their units from the city's own platform, narrowed by your grants.",
    )


@strawberry.type(description="A WGS84 position in decimal degrees.")
class GeoPoint:
    lat: float
    lon: float


@strawberry.type(description="Keyset pagination state (Relay style).")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to continue; opaque, bound to this query."
    )


@strawberry.type(description="What one city contributed to an answer.")
class CityCoverage:
    city: City
    status: CoverageStatus  # type: ignore[valid-type]
    count: int | None = strawberry.field(
        description="Matching entities in this city (all pages), when it answered."
    )
    message: str | None
    stale: bool = strawberry.field(description="True when served from cache after its TTL.")


@strawberry.type(description="An entity of any type, in the common model.")
class Entity:
    id: strawberry.ID
    type: str = strawberry.field(description='Smart Data Models type, e.g. "WeatherObserved".')
    city: City
    location: GeoPoint | None
    observed_at: datetime | None = strawberry.field(description="Observation time, UTC.")
    attributes: JSON = strawberry.field(
        description="Attributes as plain values (keyValues), named and in the units of the "
        "Smart Data Models."
    )


@strawberry.type(description="A page of entities across cities, newest observation first.")
class EntityConnection:
    nodes: list[Entity]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="Matching entities across the cities that answered."
    )
    coverage: list[CityCoverage]


@strawberry.type(description="A way to get a dataset (DCAT distribution).")
class Distribution:
    access_url: str | None = strawberry.field(name="accessURL")
    format: str | None


@strawberry.type(description="A dataset in a city's open-data catalogue.")
class Dataset:
    id: strawberry.ID
    title: str
    city: City
    description: str | None
    distributions: list[Distribution]


@strawberry.type(description="A page of catalogue datasets across cities.")
class DatasetConnection:
    nodes: list[Dataset]
    page_info: PageInfo
    coverage: list[CityCoverage]


def city_objects(federation: Federation) -> Mapping[str, City]:
    """The City objects of a federation, built once and shared by every request."""
    return {
        city_id: City(
            id=strawberry.ID(city_id),
            name=city.name,
            kommunkod=city.kommunkod,
            platform=Platform(kind=city.adapter.kind),
        )
        for city_id, city in federation.cities.items()
    }


def plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A dict the JSON encoder takes, whatever Mapping an adapter returned."""
    return value if isinstance(value, dict) else dict(value)
