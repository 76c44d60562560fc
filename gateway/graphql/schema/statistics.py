"""``statistics``: count, min, max and mean of one attribute across cities."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import strawberry

from gateway.graphql.schema.convert import coverage_list
from gateway.graphql.schema.types import City, CityCoverage
from gateway.query.statistics import StatisticsAnswer


@strawberry.enum(description="How statistics are grouped.")
class StatisticsGroupBy(Enum):
    NONE = "NONE"
    CITY = "CITY"


@strawberry.type(description="count, min, max and mean of the attribute over one group.")
class StatisticsGroup:
    city: City | None = strawberry.field(
        description="The city, grouped by city; null for all cities together."
    )
    count: int = strawberry.field(description="Entities with a numeric value of the attribute.")
    min: float | None
    max: float | None
    mean: float | None


@strawberry.type(description="Statistics of one attribute, and how each city contributed.")
class Statistics:
    type: str
    attribute: str
    groups: list[StatisticsGroup]
    coverage: list[CityCoverage]


def to_statistics(
    entity_type: str, attribute: str, answer: StatisticsAnswer, cities: Mapping[str, City]
) -> Statistics:
    """The schema object of a computed answer."""
    return Statistics(
        type=entity_type,
        attribute=attribute,
        groups=[
            StatisticsGroup(
                city=cities[g.city_id] if g.city_id is not None else None,
                count=g.summary.count,
                min=g.summary.minimum,
                max=g.summary.maximum,
                mean=g.summary.mean,
            )
            for g in answer.groups
        ],
        coverage=coverage_list(answer.coverage, cities),
    )
