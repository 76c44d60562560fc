"""Answer a Query Entities request from a city's world: filter, count, take one page.

Filters that do not depend on values (type, id, idPattern, attrs, geoquery) run on
the fixed layout, so without ``q`` only the entities of the page are generated.
Results are ordered by entity id. Everything is read in one time bucket, so a
request sees one consistent state.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld import geo, q
from citysim.ngsi_ld.params import EntityQuery
from citysim.ngsi_ld.vocabulary import Stored, stored
from citysim.settings import ContextStyle
from citysim.world.catalog import MODELS
from citysim.world.city import CityWorld, Entity
from citysim.world.model import EntityModel


@dataclass(frozen=True, slots=True)
class Result:
    """One page of a query, the number of all matches, and the attributes to render per type."""

    entities: list[Entity]
    total: int
    projections: Mapping[str, frozenset[str] | None]


@dataclass(frozen=True, slots=True)
class _Match:
    model: EntityModel
    projection: frozenset[str] | None
    found: Sequence[Entity | int]
    """Entities already generated (to evaluate ``q``), or indexes of entities to generate."""


def search(
    world: CityWorld,
    style: ContextStyle,
    query: EntityQuery,
    ctx: TermContext,
    *,
    typed_q: bool = True,
) -> Result:
    """The entities of ``world`` matching ``query``; names expanded with ``ctx``.

    ``typed_q`` False: a ``q`` comparison with a typed literal value (a DateTime)
    matches nothing, as in Orion-LD (``dialects/orion_ld.py``).
    """
    bucket = world.bucket()
    matches: list[_Match] = []
    for model in MODELS:
        names = stored(model.type_name, style)
        if query.types is not None and not query.types.matches(names.type_iri):
            continue
        projection = None
        if query.attrs is not None:
            projection = names.select(query.attrs, ctx)
            if not projection:
                continue
        indexes = _fixed_filter(world, model, names, query, ctx)
        if query.q is None:
            matches.append(_Match(model, projection, indexes))
        else:
            kept = value_filter(world, model, indexes, bucket, query.q, names, ctx, typed_q)
            matches.append(_Match(model, projection, kept))
    total = sum(len(m.found) for m in matches)
    page: list[Entity] = []
    skip, room = query.offset, query.limit
    for m in matches:
        chunk = m.found[skip : skip + room]
        skip = max(0, skip - len(m.found))
        room -= len(chunk)
        page.extend(x if isinstance(x, Entity) else world.entity(m.model, x, bucket) for x in chunk)
    return Result(page, total, {m.model.type_name: m.projection for m in matches})


def search_nothing(query: EntityQuery) -> Result:
    """The empty result, for a query no generated entity can match."""
    return Result([], 0, {})


def _fixed_filter(
    world: CityWorld, model: EntityModel, names: Stored, query: EntityQuery, ctx: TermContext
) -> list[int]:
    layout = world.layout(model)
    if query.ids is not None:
        located = (world.locate(i) for i in query.ids)
        indexes = sorted(i for m, i in filter(None, located) if m is model)
    else:
        indexes = list(range(world.per_type))
    if query.id_pattern is not None:
        pattern = query.id_pattern
        indexes = [i for i in indexes if pattern.search(layout.ids[i])]
    if query.geo is not None:
        if ctx.expand(query.geo.geoproperty) != names.iri.get("location"):
            return []
        geoquery = query.geo
        geometries = layout.geometries
        indexes = [i for i in indexes if geo.matches(geoquery, geo.shape_of(geometries[i]))]
    return indexes


def value_filter(
    world: CityWorld,
    model: EntityModel,
    indexes: list[int],
    bucket: int,
    node: q.Node,
    names: Stored,
    ctx: TermContext,
    typed_q: bool,
) -> list[Entity]:
    native = {t.path.names[0]: names.name.get(ctx.expand(t.path.names[0])) for t in q.terms(node)}
    resolve = target if typed_q else _untyped_target
    if len(indexes) == world.per_type:
        candidates: Iterable[Entity] = world.entities(model, bucket)
    else:
        candidates = (world.entity(model, i, bucket) for i in indexes)
    return [e for e in candidates if q.evaluate(node, functools.partial(resolve, e, native))]


OPAQUE = "citysim:opaque"
"""Wraps a typed literal so that it exists for ``q`` but equals and orders nothing."""


def _untyped_target(
    entity: Entity, native: Mapping[str, str | None], path: q.AttrPath
) -> q.Target | None:
    found = target(entity, native, path)
    if found is not None and isinstance(found.value, dict) and "@value" in found.value:
        return q.Target(found.kind, {OPAQUE: found.value})
    return found


def target(entity: Entity, native: Mapping[str, str | None], path: q.AttrPath) -> q.Target | None:
    """What ``path`` designates in ``entity`` (None when it does not exist)."""
    name = native.get(path.names[0])
    spec = entity.model.specs.get(name) if name is not None else None
    if spec is None:
        return None
    value: Any
    if name == "location":
        kind, value = spec.kind, entity.geometry
    elif name in entity.values:
        kind, value = spec.kind, entity.values[name]
    else:
        return None
    for sub in path.names[1:2]:
        if sub == "observedAt" and name in entity.model.measured:
            kind, value = "Property", {"@type": "DateTime", "@value": entity.observed_at}
        elif sub == "unitCode" and spec.unit_code is not None:
            kind, value = "Property", spec.unit_code
        elif sub in spec.sub:
            attr = entity.sub_attributes(spec)[sub]
            kind = attr.get("type", "Property")
            value = attr.get("object") if kind == "Relationship" else attr.get("value")
        else:
            return None
    if len(path.names) > 2:
        return None
    for member in path.member:
        if not isinstance(value, dict) or member not in value:
            return None
        value = value[member]
    return q.Target(kind, value)
