"""Entity type discovery of one simulated broker (GS CIM 009 clauses 5.7.5, 5.7.6, 6.25, 6.26),
answering as Orion-LD does (tests/adapters/real_answers/orion-ld/entity_types_details_08.json,
entity_type_info_06.json):

- ``GET /ngsi-ld/v1/types?details=true``: a JSON array of ``EntityType`` (``id`` the
  type's IRI, ``typeName`` compacted with the request's @context, ``attributeNames``);
- ``GET /ngsi-ld/v1/types/{type}`` (a term of the request's @context or an IRI): one
  ``EntityTypeInfo`` with ``entityCount`` and ``attributeDetails`` (``attributeName``,
  ``attributeTypes``), or 404 ResourceNotFound;
- ``GET /ngsi-ld/v1/attributes`` (clause 6.27): an ``AttributeList``; with
  ``details=true`` a JSON array of ``Attribute`` (``attributeCount``, ``attributeTypes``,
  ``typeNames``; attributes_details_07.json).

The generated world's types hold every attribute their entities carry; entities
created through the API add theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_store import EntityStore
from citysim.ngsi_ld.problems import not_found
from citysim.ngsi_ld.vocabulary import stored
from citysim.settings import ContextStyle
from citysim.world.catalog import MODELS
from citysim.world.city import CityWorld


@dataclass(slots=True)
class _TypeFacts:
    """What one type's entities hold: how many, and attribute IRI -> attribute types."""

    count: int = 0
    attributes: dict[str, list[str]] = field(default_factory=dict)
    holding: dict[str, int] = field(default_factory=dict)
    """Attribute IRI -> how many of the type's entities hold it."""

    def note(self, iri: str, kind: str, entities: int = 1) -> None:
        kinds = self.attributes.setdefault(iri, [])
        if kind not in kinds:
            kinds.append(kind)
        self.holding[iri] = self.holding.get(iri, 0) + entities


def _facts(world: CityWorld, style: ContextStyle, store: EntityStore) -> dict[str, _TypeFacts]:
    """Type IRI -> its facts, the generated types first (in catalogue order)."""
    facts: dict[str, _TypeFacts] = {}
    bucket = world.bucket()
    for model in MODELS:
        names = stored(model.type_name, style)
        entry = facts.setdefault(names.type_iri, _TypeFacts())
        entry.count += world.per_type
        present = world.entity(model, 0, bucket).values if world.per_type else {}
        for spec in model.attributes:
            if spec.name == "location" or spec.name in present:
                entry.note(names.iri[spec.name], spec.kind, world.per_type)
    for entity in store:
        for type_iri in entity.types:
            entry = facts.setdefault(type_iri, _TypeFacts())
            entry.count += 1
            for iri, instances in entity.attrs.items():
                kinds = dict.fromkeys(str(i.get("type", "Property")) for i in instances)
                for n, kind in enumerate(kinds):
                    entry.note(iri, kind, 0 if n else 1)
    return facts


def entity_types(
    world: CityWorld, style: ContextStyle, store: EntityStore, ctx: TermContext
) -> list[dict[str, Any]]:
    """The ``details=true`` answer: one ``EntityType`` per type."""
    return [
        {
            "id": type_iri,
            "type": "EntityType",
            "typeName": ctx.compact(type_iri),
            "attributeNames": sorted(ctx.compact(iri) for iri in entry.attributes),
        }
        for type_iri, entry in _facts(world, style, store).items()
    ]


def entity_type_info(
    world: CityWorld, style: ContextStyle, store: EntityStore, ctx: TermContext, asked: str
) -> dict[str, Any]:
    """The ``EntityTypeInfo`` of ``asked``; a 404 Problem when no entity has that type."""
    type_iri = ctx.expand(asked)
    entry = _facts(world, style, store).get(type_iri)
    if entry is None or entry.count == 0:
        raise not_found(type_iri)
    return {
        "id": type_iri,
        "type": "EntityTypeInfo",
        "typeName": ctx.compact(type_iri),
        "entityCount": entry.count,
        "attributeDetails": list(_details(entry.attributes.items(), ctx)),
    }


def _details(attributes: Iterable[tuple[str, list[str]]], ctx: TermContext) -> Iterable[Any]:
    for iri, kinds in attributes:
        yield {
            "id": iri,
            "type": "Attribute",
            "attributeName": ctx.compact(iri),
            "attributeTypes": kinds,
        }


def attribute_list(
    world: CityWorld, style: ContextStyle, store: EntityStore, ctx: TermContext, details: bool
) -> Any:
    """The ``/attributes`` answer: an ``AttributeList``, or (``details``) one ``Attribute``
    per attribute with how many entities hold it, its types and the types holding it."""
    counts: dict[str, int] = {}
    kinds: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    for type_iri, entry in _facts(world, style, store).items():
        for iri, held in entry.attributes.items():
            counts[iri] = counts.get(iri, 0) + entry.holding.get(iri, 0)
            kinds.setdefault(iri, []).extend(k for k in held if k not in kinds.get(iri, []))
            types.setdefault(iri, []).append(ctx.compact(type_iri))
    if not details:
        return {
            "id": f"urn:ngsi-ld:AttributeList:{world.city.id}",
            "type": "AttributeList",
            "attributeList": [ctx.compact(iri) for iri in counts],
        }
    return [
        {
            "id": iri,
            "type": "Attribute",
            "attributeName": ctx.compact(iri),
            "attributeCount": counts[iri],
            "attributeTypes": kinds[iri],
            "typeNames": types[iri],
        }
        for iri in counts
    ]
