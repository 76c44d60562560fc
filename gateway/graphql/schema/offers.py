"""What a city offers the caller: its entity types, counts, attributes and units
(``City.types``; the root ``types`` merges them, gateway/graphql/schema/discovery.py).

Kept apart from ``types.py`` (which holds ``City``) so that ``City`` can resolve its
``types`` without an import circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import strawberry

from adapters import AttributeInfo
from gateway.policy.decisions import grant_decision
from gateway.query.discovery import DiscoveryAnswer, OfferedType, TypeGrant, find_offers

if TYPE_CHECKING:
    from gateway.graphql.schema.context import RequestContext


@strawberry.type(description="An attribute of an entity type, and the unit its values come in.")
class AttributeDescription:
    name: str = strawberry.field(description='Smart Data Models name, e.g. "temperature".')
    unit: str | None = strawberry.field(
        description="UN/CEFACT code of the unit the values come in (as NGSI-LD unitCode), e.g. "
        '"CEL" for degrees Celsius, "C62" for a fraction; null: no unit (text, counts, ...).'
    )
    symbol: str | None = strawberry.field(description='The unit\'s symbol, e.g. "°C".')


@strawberry.type(description="An entity type one city offers you.")
class CityEntityType:
    name: str = strawberry.field(description='Smart Data Models type, e.g. "WeatherObserved".')
    readable: bool = strawberry.field(
        description="You may read it (rows, or statistics only). False: the city shares it with "
        "others (`access(type:)` says with whom); no count and no attributes are shown then."
    )
    count: int | None = strawberry.field(
        description="Entities the city's platform holds; null when unknown, or withheld "
        "because your grant shows only some rows."
    )
    attributes: list[AttributeDescription] = strawberry.field(
        description="The attributes you may see, by name (your grant's dropped ones absent)."
    )


def attribute_objects(attributes: Sequence[AttributeInfo]) -> list[AttributeDescription]:
    """Schema objects of ``attributes``."""
    return [AttributeDescription(name=a.name, unit=a.unit, symbol=a.symbol) for a in attributes]


def city_entity_type(offered: OfferedType) -> CityEntityType:
    """The schema object of one offered type."""
    return CityEntityType(
        name=offered.name,
        readable=offered.readable,
        count=offered.count,
        attributes=attribute_objects(offered.attributes),
    )


async def offers(
    info: strawberry.Info[RequestContext, Any], cities: Sequence[str]
) -> DiscoveryAnswer:
    """``find_offers`` for the caller of ``info``, each failed city reported in ``errors[]``."""
    ctx = info.context
    federation = ctx.runtime.federation
    grants = {}
    for city_id in cities:
        city = federation.cities[city_id]
        decisions = {name: grant_decision(ctx.principal, city, name) for name in city.datasets}
        grants[city_id] = {
            name: TypeGrant(d.allowed, d.rules, d.policy_class) for name, d in decisions.items()
        }
    answer = await find_offers(grants, ctx.runtime, ctx.deadline)
    path = [str(p) if isinstance(p, str) else p for p in info.path.as_list()]
    for entry in answer.coverage:
        ctx.report(path, entry)
    return answer


async def city_types(
    info: strawberry.Info[RequestContext, Any], city_id: str
) -> list[CityEntityType]:
    """The ``types`` of one city."""
    answer = await offers(info, [city_id])
    return [city_entity_type(t) for offer in answer.cities for t in offer.types]


async def resolve_city_types(root: Any, info: strawberry.Info[Any, Any]) -> list[CityEntityType]:
    """``City.types``: ``root`` is the City."""
    return await city_types(info, str(root.id))
