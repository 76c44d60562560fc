"""The root fields of lookup and discovery (ADR 0020): ``entity(city, id)`` and ``types``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from adapters import AttributeInfo
from gateway.errors import BadUserInput, ErrorCode
from gateway.graphql.schema import convert
from gateway.graphql.schema.context import RequestContext
from gateway.graphql.schema.offers import AttributeDescription, attribute_objects, offers
from gateway.graphql.schema.types import City, Entity
from gateway.policy.decisions import decide
from gateway.query.discovery import DiscoveryAnswer
from gateway.query.entity_request import EntityRequest
from gateway.query.lookup import LookupAnswer, find_entity
from gateway.query.merge import Placed
from gateway.query.ordering import sort_key
from gateway.query.planner import CityStep, plan

Info = strawberry.Info[RequestContext, Any]


@strawberry.type(description="An entity type, across the cities that offer it to you.")
class EntityTypeSummary:
    name: str = strawberry.field(description='Smart Data Models type, e.g. "WeatherObserved".')
    readable: bool = strawberry.field(
        description="Some city lets you read it. False: cities share it with others only "
        "(`access(type:)` says with whom); no cities, count or attributes are shown then."
    )
    count: int | None = strawberry.field(
        description="Entities across the cities that let you read it and gave a count."
    )
    cities: list[City] = strawberry.field(description="The cities that let you read it.")
    attributes: list[AttributeDescription] = strawberry.field(
        description="Every attribute you may see in some city, with its unit; the same name "
        "comes in the same unit from every city (Smart Data Models units)."
    )


def check_cities(ids: Sequence[str] | None, known: Sequence[str]) -> list[str]:
    """The cities asked for (all when None), once each; BadUserInput names unknown ones."""
    if ids is None:
        return list(known)
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise BadUserInput(
            f"cities: unknown city id {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    return list(dict.fromkeys(ids))


async def type_summaries(info: Info, cities: list[strawberry.ID] | None) -> list[EntityTypeSummary]:
    """``types``: every type some city in scope shares, merged across cities, by name."""
    ctx = info.context
    scope = check_cities(
        [str(c) for c in cities] if cities is not None else None,
        list(ctx.runtime.federation.cities),
    )
    return summarise(await offers(info, scope), ctx.cities)


def summarise(answer: DiscoveryAnswer, cities: dict[str, City] | Any) -> list[EntityTypeSummary]:
    """One summary per type name: its readable cities, summed counts, merged attributes."""
    merged: dict[str, tuple[list[str], list[int], set[AttributeInfo]]] = {}
    for offer in answer.cities:
        for offered in offer.types:
            readers, counts, attributes = merged.setdefault(offered.name, ([], [], set()))
            if not offered.readable:
                continue
            readers.append(offer.city_id)
            if offered.count is not None:
                counts.append(offered.count)
            attributes.update(offered.attributes)
    return [
        EntityTypeSummary(
            name=name,
            readable=bool(readers),
            count=sum(counts) if counts else None,
            cities=[cities[c] for c in readers],
            attributes=attribute_objects(sorted(attributes, key=lambda a: (a.name, a.unit or ""))),
        )
        for name, (readers, counts, attributes) in sorted(merged.items())
    ]


async def entity_by_id(info: Info, city: strawberry.ID, id: strawberry.ID) -> Entity | None:
    """``entity(city, id)``: the entity as an ``entities`` row, or null with an error."""
    ctx = info.context
    answer = await _lookup(info, str(city), str(id))
    path = [str(p) if isinstance(p, str) else p for p in info.path.as_list()]
    for entry in answer.coverage:
        ctx.report(path, entry)
    if answer.entity is not None:
        return convert.entity(
            Placed(sort_key(str(city), answer.entity), str(city), answer.entity), ctx.cities
        )
    if not answer.coverage:
        ctx.city_errors.append(
            {
                "message": f"entity: no entity {str(id)!r} in city {str(city)!r} that you may see",
                "path": path,
                "extensions": {"code": ErrorCode.NOT_FOUND.value},
            }
        )
    return None


async def _lookup(info: Info, city_id: str, entity_id: str) -> LookupAnswer:
    """``find_entity`` with the caller's decisions for ``city_id`` (unknown: nothing readable)."""
    ctx = info.context
    federation = ctx.runtime.federation
    city = federation.cities.get(city_id)
    if city is None:
        return LookupAnswer(None, ())
    decisions = {name: decide(ctx.principal, city, name) for name in city.datasets}
    readable = tuple(name for name, d in decisions.items() if d.allowed)
    policy = "|".join(decisions[name].policy_class for name in readable)

    def row_step(entity_type: str) -> CityStep:
        request = EntityRequest(entity_type, (city_id,), None, None, None, None, 1, None)
        (step,) = plan(request, federation, ctx.principal, ctx.audit)
        return step

    return await find_entity(
        city_id, entity_id, readable, policy, row_step, ctx.runtime, ctx.deadline
    )
