"""One city's entities: where they stand (fixed) and what they measure (per time bucket)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citysim.municipalities import Municipality
from citysim.settings import Clock
from citysim.world import placement
from citysim.world.catalog import BY_TYPE
from citysim.world.climate import Conditions, conditions
from citysim.world.dice import Dice
from citysim.world.model import AttrSpec, EntityModel, Sensor
from citysim.world.models.common import date_time, iso
from citysim.world.placement import Geometry

ID_PREFIX = "urn:ngsi-ld:"
CACHE_ENTITIES = 15_000
"""Entities kept generated per city (about 1.5 kB each); always at least one type and bucket."""


@dataclass(frozen=True, slots=True)
class Layout:
    """The entities of one type in one city: ids and geometries, the same in every bucket."""

    ids: tuple[str, ...]
    keys: tuple[str, ...]
    geometries: tuple[Geometry, ...]


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity in one bucket: every attribute value (location apart) and its observation time."""

    id: str
    model: EntityModel
    key: str
    geometry: Geometry
    observed_at: str
    """When the measured attributes were observed (``observedAt``), ISO 8601 UTC."""
    values: dict[str, Any]
    """Attribute name -> Property value or Relationship object, in the example's order."""

    def sub_attributes(self, spec: AttrSpec) -> Mapping[str, Any]:
        """The sub-attributes of ``spec`` (normalized), with this entity's sub-relationships."""
        patterns = self.model.sub_objects
        return {
            name: {"type": "Relationship", "object": patterns[name].format(key=self.key)}
            if name in patterns
            else attr
            for name, attr in spec.sub.items()
        }


class CityWorld:
    """The entities of one city; values are a pure function of (seed, city, entity, bucket)."""

    def __init__(
        self, city: Municipality, *, seed: int, per_type: int, bucket_s: float, clock: Clock
    ) -> None:
        self.city = city
        self.seed = seed
        self.per_type = per_type
        self.bucket_s = bucket_s
        self.clock = clock
        self._width = max(4, len(str(max(per_type - 1, 0))))
        self._layouts: dict[str, Layout] = {}
        self._weather: OrderedDict[int, Conditions] = OrderedDict()
        self._generated: OrderedDict[tuple[str, int], tuple[Entity, ...]] = OrderedDict()

    def bucket(self) -> int:
        """The current time bucket."""
        return math.floor(self.clock() / self.bucket_s)

    def layout(self, model: EntityModel) -> Layout:
        """Ids and geometries of ``model``'s entities, computed on first use."""
        layout = self._layouts.get(model.type_name)
        if layout is None:
            keys = tuple(f"{self.city.id}-{i:0{self._width}d}" for i in range(self.per_type))
            place = placement.road if model.geometry == "LineString" else placement.point
            layout = Layout(
                ids=tuple(f"{ID_PREFIX}{model.type_name}:{key}" for key in keys),
                keys=keys,
                geometries=tuple(
                    place(self.city, Dice(self.seed, self.city.id, model.type_name, i, "place"))
                    for i in range(self.per_type)
                ),
            )
            self._layouts[model.type_name] = layout
        return layout

    def locate(self, entity_id: str) -> tuple[EntityModel, int] | None:
        """The type and index of ``entity_id`` in this city, or None."""
        type_name, _, key = entity_id.removeprefix(ID_PREFIX).partition(":")
        model = BY_TYPE.get(type_name)
        city, _, number = key.rpartition("-")
        if not entity_id.startswith(ID_PREFIX) or model is None or city != self.city.id:
            return None
        if len(number) != self._width or not number.isdigit() or int(number) >= self.per_type:
            return None
        return model, int(number)

    def entity(self, model: EntityModel, index: int, bucket: int) -> Entity:
        """Entity ``index`` of ``model`` as observed in ``bucket``."""
        cached = self._generated.get((model.type_name, bucket))
        if cached is not None:
            return cached[index]
        layout = self.layout(model)
        start = bucket * self.bucket_s
        now = Dice(self.seed, self.city.id, model.type_name, index, bucket)
        observed = datetime.fromtimestamp(round(start - now.random() * self.bucket_s, 3), UTC)
        sensor = Sensor(
            seed=self.seed,
            city=self.city,
            index=index,
            key=layout.keys[index],
            fixed=Dice(self.seed, self.city.id, model.type_name, index, "fixed"),
            now=now,
            weather=self._conditions(bucket),
            observed=observed,
        )
        values = {**model.defaults, **model.generate(sensor)}
        if model.observed:
            values["dateObserved"] = date_time(observed)
        values.pop("location", None)
        return Entity(
            id=layout.ids[index],
            model=model,
            key=sensor.key,
            geometry=layout.geometries[index],
            observed_at=iso(observed),
            values=values,
        )

    def entities(self, model: EntityModel, bucket: int) -> Sequence[Entity]:
        """All entities of ``model`` in ``bucket``; kept while few buckets are asked for."""
        key = (model.type_name, bucket)
        cached = self._generated.get(key)
        if cached is None:
            cached = tuple(self.entity(model, i, bucket) for i in range(self.per_type))
            self._generated[key] = cached
            while (
                sum(map(len, self._generated.values())) > CACHE_ENTITIES
                and len(self._generated) > 1
            ):
                self._generated.popitem(last=False)
        else:
            self._generated.move_to_end(key)
        return cached

    def _conditions(self, bucket: int) -> Conditions:
        weather = self._weather.get(bucket)
        if weather is None:
            start = datetime.fromtimestamp(bucket * self.bucket_s, UTC)
            weather = conditions(self.seed, self.city, start)
            self._weather[bucket] = weather
            if len(self._weather) > 8:
                self._weather.popitem(last=False)
        return weather
