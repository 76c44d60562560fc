"""Entity type discovery of one simulated broker (GS CIM 009 clauses 5.7.5, 5.7.6, 6.25, 6.26),
answering as Orion-LD does (tests/adapters/real_answers/orion-ld/entity_types_details_08.json,
entity_type_info_06.json):

- ``GET /ngsi-ld/v1/types?details=true``: a JSON array of ``EntityType`` (``id`` the
  type's IRI, ``typeName`` compacted with the request's @context, ``attributeNames``);
- ``GET /ngsi-ld/v1/types/{type}`` (a term of the request's @context or an IRI): one
  ``EntityTypeInfo`` with ``entityCount`` and ``attributeDetails`` (``attributeName``,
  ``attributeTypes``), or 404 ResourceNotFound.

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

    def note(self, iri: str, kind: str) -> None:
        kinds = self.attributes.setdefault(iri, [])
        if kind not in kinds:
            kinds.append(kind)


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
                entry.note(names.iri[spec.name], spec.kind)
    for entity in store:
        for type_iri in entity.types:
            entry = facts.setdefault(type_iri, _TypeFacts())
            entry.count += 1
            for iri, instances in entity.attrs.items():
                for instance in instances:
                    entry.note(iri, str(instance.get("type", "Property")))
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
