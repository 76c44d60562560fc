"""The optional discovery capability: which entity types a platform holds, how many, with
which attributes in which units (issue 14, ADR 0020).

An adapter whose platform can describe itself (NGSI-LD ``/types``, SensorThings
ObservedProperties and Datastreams, Lynx function types, a REST mapping) also
implements ``Discovering``. The gateway asks only about the types a caller may see
(``DiscoveryQuery.entity_types``), caches the answer (discovery changes rarely)
and applies the city's policy to it: attributes a grant drops are left out,
counts a grant's row rules would make revealing are withheld.

Names are Smart Data Models names as ``fetch_entities`` gives them; a unit is the
UN/CEFACT code of the unit ``fetch_entities`` delivers the attribute in (the data
model's unit, ``adapters.sdk.models``), None for an attribute without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class DiscoveryQuery:
    """Describe these entity types (those of the federation file the caller may see)."""

    entity_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """One attribute of a type: its name, the UN/CEFACT code of its unit and the unit's
    symbol (None: unitless or not known)."""

    name: str
    unit: str | None = None
    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One entity type the platform holds: ``count`` entities (None: the platform does not
    say) with these attributes (without ``id``, ``type`` and ``location``)."""

    name: str
    count: int | None
    attributes: tuple[AttributeInfo, ...]


@dataclass(frozen=True, slots=True)
class DiscoveryResult:
    """The asked types the platform holds; a type it does not hold is absent."""

    types: Sequence[TypeInfo]


@runtime_checkable
class Discovering(Protocol):
    """An adapter whose platform says what it holds."""

    async def discover(self, query: DiscoveryQuery) -> DiscoveryResult:
        """Describe ``query.entity_types``, or raise an ``adapters.errors.AdapterError``."""
        ...
