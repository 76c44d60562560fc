"""``orderBy`` of the entity queries, and its translation into a checked Order (ADR 0019)."""

from __future__ import annotations

import re
from enum import Enum

import strawberry

from gateway.errors import BadUserInput
from gateway.query.ordering import NEWEST_FIRST, Direction, Order, OrderBy

_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


@strawberry.enum(description="What entities are ordered by.")
class EntityOrderBy(Enum):
    OBSERVED_AT = strawberry.enum_value(
        "OBSERVED_AT", description="Observation time; newest first unless direction is ASC."
    )
    DISTANCE = strawberry.enum_value(
        "DISTANCE",
        description="Great-circle distance from filter.near's point (needed); nearest first. "
        "Measured to the location you may see (coarsened where a city coarsens it).",
    )
    ATTRIBUTE = strawberry.enum_value(
        "ATTRIBUTE",
        description="The value of `attribute`: numbers, then text; entities without a "
        "number or text there come last in both directions.",
    )


@strawberry.enum(description="Ascending or descending.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(
    description="The order of the answer. Ties, and entities the order cannot place, "
    "follow by city id, then entity id (ascending), so paging never repeats or skips."
)
class EntityOrder:
    by: EntityOrderBy = EntityOrderBy.OBSERVED_AT
    attribute: str | None = strawberry.field(
        default=None, description='With `by: ATTRIBUTE`: the attribute, e.g. "pm25".'
    )
    direction: OrderDirection | None = strawberry.field(
        default=None,
        description="Default: DESC for OBSERVED_AT (newest first), ASC otherwise.",
    )


def to_order(given: EntityOrder | None, has_near: bool) -> Order:
    """The checked order; BadUserInput says what is wrong, under ``orderBy``."""
    if given is None:
        return NEWEST_FIRST
    by = OrderBy[given.by.name]
    if by is OrderBy.ATTRIBUTE:
        if given.attribute is None:
            raise BadUserInput('orderBy.attribute: name the attribute to order by, e.g. "pm25"')
        if not _ATTRIBUTE.fullmatch(given.attribute) or given.attribute == "location":
            raise BadUserInput(
                "orderBy.attribute: not an attribute name (a letter or _, then letters, digits "
                "or _; at most 128 characters; order by location with by: DISTANCE)"
            )
    elif given.attribute is not None:
        raise BadUserInput(f"orderBy.attribute: only used with by: ATTRIBUTE, not {by.name}")
    if by is OrderBy.DISTANCE and not has_near:
        raise BadUserInput(
            "orderBy: DISTANCE measures from filter.near's point: give filter.near "
            "(lat, lon, maxDistance)"
        )
    if given.direction is not None:
        direction = Direction[given.direction.name]
    else:
        direction = Direction.DESC if by is OrderBy.OBSERVED_AT else Direction.ASC
    return Order(by, direction, given.attribute if by is OrderBy.ATTRIBUTE else None)
