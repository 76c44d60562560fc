"""The optional lookup capability: one entity by its id (issue 14, ADR 0020).

An adapter whose platform can fetch one entity directly (NGSI-LD ``GET
/entities/{id}``, a SensorThings Thing by id) also implements ``Lookup``; for
any other the gateway looks through ``fetch_entities`` of each type instead.
``entity_types`` are the types the caller may see in this city: the adapter may
use them to narrow its question, and the gateway shows nothing of another type.
The entity comes mapped exactly as ``fetch_entities`` maps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from adapters.contract import SourceEntity


@dataclass(frozen=True, slots=True)
class LookupQuery:
    """The entity ``entity_id``, of one of ``entity_types``."""

    entity_id: str
    entity_types: tuple[str, ...]


@runtime_checkable
class Lookup(Protocol):
    """An adapter that fetches one entity by id."""

    async def fetch_entity(self, query: LookupQuery) -> SourceEntity | None:
        """The entity, None when the platform has none with that id among the types;
        an ``adapters.errors.AdapterError`` when the platform fails."""
        ...
