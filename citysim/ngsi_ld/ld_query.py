"""Query Entities over the stored entities: which match, in which order.

Type, id, idPattern, attrs (at least one of them present), ``q`` (clause 4.9),
geoquery on any GeoProperty (``geoproperty``), ``scopeQ`` (clause 4.19) and
``orderBy`` (attribute values, ascending; ``id`` and ``type`` too). Without
``orderBy`` entities come in creation order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld import geo, q
from citysim.ngsi_ld.ld_store import VALUE_MEMBER, StoredEntity
from citysim.ngsi_ld.params import EntityQuery, OrderBy
from citysim.ngsi_ld.problems import bad_request

SYSTEM_TIMES = ("createdAt", "modifiedAt", "observedAt")


def matching(
    entities: Iterable[StoredEntity], query: EntityQuery, ctx: TermContext
) -> list[StoredEntity]:
    """The entities matching every filter of ``query``, ordered as it asks."""
    attrs = None if query.attrs is None else {ctx.expand(a) for a in query.attrs}
    geo_iri = ctx.expand(query.geo.geoproperty) if query.geo is not None else None
    scope = _scope_query(query.read.scope_q) if query.read.scope_q is not None else None
    found = []
    for entity in entities:
        if query.types is not None and not query.types.matches_all(entity.types):
            continue
        if query.ids is not None and entity.id not in query.ids:
            continue
        if query.id_pattern is not None and not query.id_pattern.search(entity.id):
            continue
        if attrs is not None and not attrs & entity.attrs.keys():
            continue
        if query.q is not None and not q.evaluate(query.q, functools.partial(_at, entity, ctx)):
            continue
        if query.geo is not None and not _geo_match(entity, query.geo, geo_iri or ""):
            continue
        if scope is not None and not _scope_match(entity.scope, scope):
            continue
        found.append(entity)
    if query.read.order_by:
        found = _ordered(found, query.read.order_by, ctx)
    return found


def _at(entity: StoredEntity, ctx: TermContext, path: q.AttrPath) -> q.Target | None:
    return target(entity, path, ctx)


def target(entity: StoredEntity, path: q.AttrPath, ctx: TermContext) -> q.Target | None:
    """What ``path`` designates in ``entity`` (None when it does not exist)."""
    first = path.names[0]
    if first == "id":
        return q.Target("Property", entity.id)
    if first == "type":
        return q.Target("Property", [ctx.compact(t) for t in entity.types])
    instances = entity.attrs.get(ctx.expand(first))
    if not instances:
        return None
    instance = next((i for i in instances if "datasetId" not in i), instances[0])
    for sub in path.names[1:]:
        if sub in SYSTEM_TIMES or sub == "unitCode" or sub == "datasetId":
            if sub not in instance:
                return None
            value = instance[sub]
            if sub in SYSTEM_TIMES:
                value = {"@type": "DateTime", "@value": value}
            return _member(q.Target("Property", value), path)
        nested = instance.get(ctx.expand(sub))
        if not isinstance(nested, dict):
            return None
        instance = nested
    kind = instance["type"]
    value = instance[VALUE_MEMBER[kind]]
    if kind == "LanguageProperty":
        value = [v for v in value.values()]
        kind = "Property"
    elif kind in ("VocabProperty", "JsonProperty", "ListProperty"):
        kind = "Property"
    elif kind == "ListRelationship":
        kind = "Relationship"
    return _member(q.Target(kind, value), path)


def _member(found: q.Target, path: q.AttrPath) -> q.Target | None:
    value = found.value
    for member in path.member:
        if not isinstance(value, dict) or member not in value:
            return None
        value = value[member]
    return q.Target(found.kind, value)


def _geo_match(entity: StoredEntity, query: geo.GeoQuery, iri: str) -> bool:
    for instance in entity.attrs.get(iri, ()):
        if instance.get("type") != "GeoProperty":
            continue
        try:
            if geo.matches(query, geo.shape_of(instance["value"])):
                return True
        except ValueError:
            continue
    return False


Scope = list[list[str]]
"""Alternatives (OR) of conjunctions (AND) of scope patterns."""


def _scope_query(text: str) -> Scope:
    alternatives = []
    for alternative in re.split(r"[|,]", text.replace("(", "").replace(")", "")):
        patterns = [p for p in alternative.split(";") if p]
        for pattern in patterns:
            if not re.fullmatch(r"(/([\w-]+|\+))+(/#)?|/#", pattern):
                raise bad_request("scopeQ", f"{pattern!r} is not a scope pattern")
        alternatives.append(patterns)
    return alternatives


def _scope_match(scopes: list[str] | None, query: Scope) -> bool:
    if not scopes:
        return False
    return any(all(any(_scope_covers(p, s) for s in scopes) for p in group) for group in query)


def _scope_covers(pattern: str, scope: str) -> bool:
    if pattern == "/#":
        return True
    wanted, have = pattern.split("/")[1:], scope.split("/")[1:]
    for i, part in enumerate(wanted):
        if part == "#":
            return True
        if i >= len(have) or part not in ("+", have[i]):
            return False
    return len(wanted) == len(have)


def _ordered(entities: list[StoredEntity], order: OrderBy, ctx: TermContext) -> list[StoredEntity]:
    """``entities`` sorted by each key in turn; entities without a value come last."""

    def compare(a: StoredEntity, b: StoredEntity) -> int:
        for path, descending in order:
            left, right = _order_value(a, path, ctx), _order_value(b, path, ctx)
            if left == right:
                continue
            if left is None or right is None:
                return 1 if left is None else -1
            smaller = left < right
            return (1 if smaller else -1) if descending else (-1 if smaller else 1)
        return 0

    return sorted(entities, key=functools.cmp_to_key(compare))


def _order_value(entity: StoredEntity, path: tuple[str, ...], ctx: TermContext) -> Any:
    if path == ("createdAt",):
        return (1, entity.created_at)
    if path == ("modifiedAt",):
        return (1, entity.modified_at)
    found = target(entity, q.AttrPath(path), ctx)
    if found is None:
        return None
    value = found.value
    if isinstance(value, dict):
        value = value.get("@value", str(value))
    if isinstance(value, list):
        value = ",".join(map(str, value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return (1, str(value))
    return (0, float(value))
