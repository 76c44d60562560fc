"""Input types of the entity queries, and their translation into a checked EntityRequest."""

from __future__ import annotations

import re
from datetime import datetime

import strawberry

from gateway.errors import BadUserInput
from gateway.federation.model import Federation
from gateway.graphql.schema.order_input import EntityOrder, to_order
from gateway.graphql.schema.where import WhereCondition, to_conditions
from gateway.query.entity_request import (
    EntityRequest,
    check_cities,
    check_first,
    check_time_window,
    make_bbox,
    make_near,
)

ENTITY_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
"""What a dataset of the federation file may be called (``gateway/federation/datasets.py``),
at most 128 characters: any other type is shared by no city."""


def check_entity_type(name: str) -> str:
    """``name`` when it can name a dataset; else BadUserInput, which does not repeat it: an
    answer never echoes a long argument once per city (finding L7 of issue 13)."""
    if not ENTITY_TYPE.fullmatch(name):
        raise BadUserInput(
            "type: not an entity type name (a letter, then letters, digits or _; "
            "at most 128 characters), such as WeatherObserved"
        )
    return name


@strawberry.input(description="Entities within a distance of a point.")
class NearInput:
    lat: float = strawberry.field(description="Latitude, WGS84 degrees, -90..90.")
    lon: float = strawberry.field(description="Longitude, WGS84 degrees, -180..180.")
    max_distance: float = strawberry.field(description="Great-circle distance in metres, >= 0.")


@strawberry.input(description="Entities inside a WGS84 bounding box (edges included).")
class BBoxInput:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


@strawberry.input(description="Which entities: every condition given must hold.")
class EntityFilter:
    cities: list[strawberry.ID] | None = strawberry.field(
        default=None, description="City ids; all cities when absent."
    )
    near: NearInput | None = None
    within: BBoxInput | None = None
    observed_after: datetime | None = strawberry.field(
        default=None, description="Observed at or after this time (with a time zone)."
    )
    observed_before: datetime | None = strawberry.field(
        default=None, description="Observed strictly before this time (with a time zone)."
    )


def to_request(
    entity_type: str,
    filter: EntityFilter | None,
    first: int | None,
    after: str | None,
    federation: Federation,
    order_by: EntityOrder | None = None,
    where: list[WhereCondition] | None = None,
) -> EntityRequest:
    """Check the arguments of an entity query; BadUserInput says what is wrong and where."""
    f = filter or EntityFilter()
    check_time_window(f.observed_after, f.observed_before)
    return EntityRequest(
        entity_type=check_entity_type(entity_type),
        cities=check_cities(
            [str(c) for c in f.cities] if f.cities is not None else None, federation.cities.keys()
        ),
        near=make_near(f.near.lat, f.near.lon, f.near.max_distance) if f.near else None,
        within=make_bbox(f.within.min_lat, f.within.min_lon, f.within.max_lat, f.within.max_lon)
        if f.within
        else None,
        observed_after=f.observed_after,
        observed_before=f.observed_before,
        first=check_first(
            first, federation.options.default_page_size, federation.options.max_page_size
        ),
        after=after,
        order=to_order(order_by, f.near is not None),
        where=to_conditions(where),
    )
