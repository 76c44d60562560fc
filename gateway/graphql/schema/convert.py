"""From the federated answer (gateway objects) to schema objects; leaf fields stay plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar, cast

from strawberry.scalars import JSON

from adapters.contract import GeoPoint as SourcePoint
from gateway.graphql.schema.types import (
    City,
    CityCoverage,
    CoverageStatus,
    Entity,
    GeoPoint,
    PageInfo,
)
from gateway.graphql.schema.types import plain as plain_attributes
from gateway.query.coverage import Coverage
from gateway.query.entities import EntityAnswer
from gateway.query.merge import Placed


def geo(point: SourcePoint | None) -> GeoPoint | None:
    """The schema's GeoPoint for an adapter's point."""
    return GeoPoint(lat=point.lat, lon=point.lon) if point is not None else None


def page_info(answer: EntityAnswer) -> PageInfo:
    """``pageInfo`` of an answer."""
    return PageInfo(has_next_page=answer.has_next, end_cursor=answer.end_cursor)


def coverage_list(coverage: Sequence[Coverage], cities: Mapping[str, City]) -> list[CityCoverage]:
    """``coverage`` of an answer, one entry per city in scope."""
    return [
        CityCoverage(
            city=cities[c.city_id],
            status=CoverageStatus(c.status.value),
            count=c.count,
            message=c.message,
            stale=c.stale,
        )
        for c in coverage
    ]


C = TypeVar("C")
N = TypeVar("N")


def connection(
    connection_type: Callable[..., C],
    answer: EntityAnswer,
    node: Callable[[Placed, Mapping[str, City]], N],
    cities: Mapping[str, City],
) -> C:
    """A connection object (nodes, pageInfo, totalCount, coverage) of an entity answer."""
    return connection_type(
        nodes=[node(p, cities) for p in answer.items],
        page_info=page_info(answer),
        total_count=answer.total_count,
        coverage=coverage_list(answer.coverage, cities),
    )


def entity(placed: Placed, cities: Mapping[str, City]) -> Entity:
    """A generic Entity node."""
    e = placed.entity
    return Entity(
        id=e.id,  # type: ignore[arg-type]
        type=e.type,
        city=cities[placed.city_id],
        location=geo(e.location),
        observed_at=e.observed_at,
        attributes=cast(JSON, plain_attributes(e.attributes)),
    )
