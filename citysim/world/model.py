"""An entity type of the simulated world: its Smart Data Models example and how values change.

The example (``example-normalized.jsonld``) fixes the attributes, their order, kind
(Property, Relationship, GeoProperty), unit codes and sub-attributes. A model's
``generate`` function gives every value that differs from the example; whatever it
leaves out keeps the example's value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from citysim.municipalities import Municipality
from citysim.resources import read_json
from citysim.world.climate import Conditions
from citysim.world.dice import Dice

AttrKind = Literal["Property", "Relationship", "GeoProperty"]
_SPECIAL = frozenset({"type", "value", "object", "observedAt", "unitCode"})


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute of a type, as its example shows it."""

    name: str
    kind: AttrKind
    example: Any
    """The example's value (Property, GeoProperty) or object (Relationship)."""
    unit_code: str | None = None
    sub: Mapping[str, Any] = field(default_factory=dict)
    """Sub-attributes other than observedAt / unitCode, in normalized form (e.g. observedBy)."""


@dataclass(frozen=True, slots=True)
class Sensor:
    """What a model's ``generate`` knows about one entity in one time bucket."""

    seed: int
    city: Municipality
    index: int
    key: str
    """``<city>-<index>``, the tail of the entity id."""
    fixed: Dice
    """Numbers that stay the same in every bucket (names, sizes, offsets)."""
    now: Dice
    """Numbers of this bucket (measurement noise)."""
    weather: Conditions
    observed: datetime
    """When this observation was made."""


Generate = Callable[[Sensor], dict[str, Any]]


@dataclass(frozen=True)
class EntityModel:
    """One entity type: its name, Smart Data Models domain, example and generator."""

    type_name: str
    domain: str
    """Smart Data Models domain, e.g. ``Weather`` for ``dataModel.Weather``."""
    generate: Generate
    measured: frozenset[str]
    """Attributes that carry ``observedAt``."""
    extra: tuple[AttrSpec, ...] = ()
    """Attributes of the data model that the example lacks, appended after its own."""
    geometry: Literal["Point", "LineString"] = "Point"
    observed: bool = True
    """True: ``dateObserved`` (a DateTime) is the observation time of each bucket."""
    sub_objects: Mapping[str, str] = field(default_factory=dict)
    """Sub-relationship name -> object pattern (``{key}`` filled in), replacing the example's."""

    @functools.cached_property
    def attributes(self) -> tuple[AttrSpec, ...]:
        """The example's attributes in order, then ``extra`` (and ``dateObserved`` if missing)."""
        specs = (*example_attributes(self.type_name), *self.extra)
        if self.observed and all(spec.name != "dateObserved" for spec in specs):
            specs = (*specs, AttrSpec("dateObserved", "Property", None))
        return specs

    @functools.cached_property
    def specs(self) -> Mapping[str, AttrSpec]:
        """Attribute name -> its spec."""
        return {spec.name: spec for spec in self.attributes}

    @functools.cached_property
    def defaults(self) -> Mapping[str, Any]:
        """Attribute name -> the example's value."""
        return {spec.name: spec.example for spec in self.attributes}


def example_attributes(type_name: str) -> tuple[AttrSpec, ...]:
    """The attributes of ``smart-data-models/<type>/examples/example-normalized.jsonld``."""
    example = read_json(f"smart-data-models/{type_name}/examples/example-normalized.jsonld")
    specs = []
    for name, attr in example.items():
        if name in ("id", "type", "@context"):
            continue
        kind: AttrKind = attr["type"]
        specs.append(
            AttrSpec(
                name=name,
                kind=kind,
                example=attr["object"] if kind == "Relationship" else attr["value"],
                unit_code=attr.get("unitCode"),
                sub={k: v for k, v in attr.items() if k not in _SPECIAL},
            )
        )
    return tuple(specs)
