"""Types of the ``history`` field: each entity's attributes as time series."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.graphql.schema import convert
from gateway.graphql.schema.types import City, CityCoverage
from gateway.policy.dataset_redaction import Series, by_dataset
from gateway.query.history import HistoryAnswer


@strawberry.enum(description="How values are aggregated per period (NGSI-LD aggrMethods).")
class AggregateMethod(Enum):
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    SUM = "sum"
    TOTAL_COUNT = "totalCount"


@strawberry.input(description="Aggregate each attribute's values per period.")
class HistoryAggregate:
    method: AggregateMethod
    period: str | None = strawberry.field(
        default=None,
        description='ISO 8601 duration such as "PT1H"; absent: one period for the whole window.',
    )


@strawberry.type(description="One value at one moment; an aggregate covers `at` to `until`.")
class HistoryPoint:
    at: datetime = strawberry.field(description="Observation time (or period start), UTC.")
    value: JSON | None
    until: datetime | None = strawberry.field(description="End of the aggregated period.")


@strawberry.type(description="One attribute over time, oldest value first.")
class AttributeSeries:
    attribute: str
    points: list[HistoryPoint]


@strawberry.type(
    description="One dataset of an entity's attributes (NGSI-LD datasetId): its own series, "
    "shaped and redacted like the default series."
)
class DatasetSeries:
    dataset_id: str = strawberry.field(description="The platform's dataset id, e.g. a URN.")
    series: list[AttributeSeries] = strawberry.field(
        description="The attributes that have this dataset, each its own series, by name."
    )


@strawberry.type(description="One entity's attributes over time.")
class EntityHistory:
    id: strawberry.ID
    type: str
    city: City
    series: list[AttributeSeries] = strawberry.field(
        description="Each attribute's default series: the instance without a datasetId "
        "(when every instance has one, the first the platform sent)."
    )
    datasets: list[DatasetSeries] = strawberry.field(
        description="Every instance with a datasetId (NGSI-LD), grouped by dataset id, "
        "each its own series; empty when no attribute has one."
    )


@strawberry.type(description="Histories across cities, ordered by city, then entity id.")
class HistoryConnection:
    nodes: list[EntityHistory]
    truncated: bool = strawberry.field(description="More entities matched than `first` allows.")
    coverage: list[CityCoverage]


def history_connection(answer: HistoryAnswer, cities: Mapping[str, City]) -> HistoryConnection:
    """The ``history`` field's value."""
    return HistoryConnection(
        nodes=[
            EntityHistory(
                id=strawberry.ID(item.entity.id),
                type=item.entity.type,
                city=cities[item.city_id],
                series=_series(item.entity.series),
                datasets=[
                    DatasetSeries(dataset_id=dataset_id, series=_series(series))
                    for dataset_id, series in sorted(by_dataset(item.entity.datasets).items())
                ],
            )
            for item in answer.items
        ],
        truncated=answer.truncated,
        coverage=convert.coverage_list(answer.coverage, cities),
    )


def _series(series: Series) -> list[AttributeSeries]:
    return [
        AttributeSeries(
            attribute=name,
            points=[
                HistoryPoint(at=p.at, value=cast(JSON, p.value), until=p.until) for p in points
            ],
        )
        for name, points in sorted(series.items())
    ]
