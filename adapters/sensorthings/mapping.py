"""A Thing (with its expanded Location and Datastreams) -> ``SourceEntity``.

Each Datastream whose ObservedProperty is mapped gives one attribute: the result
of its latest Observation, converted from the Datastream's ``unitOfMeasurement``
(or the configured unit) into the data model's unit. ``observed_at`` is the
latest ``phenomenonTime`` (the end of an interval). A result in a unit the
adapter cannot convert is left out, and ``Mapper.skipped`` says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.contract import JSONValue, SourceEntity
from adapters.errors import UpstreamProtocolError
from adapters.sdk.geojson import representative_point
from adapters.sdk.models import add_date_observed, to_model_unit
from adapters.sdk.times import Precision, parse_instant
from adapters.sdk.units import UnitError, unit
from adapters.sensorthings.config import TypeMapping

Datastream = Mapping[str, Any]


class Mapper:
    """Maps the Things of one entity type; remembers results it had to leave out."""

    def __init__(
        self,
        entity_type: str,
        mapping: TypeMapping,
        match: str,
        precision: Precision | None = None,
    ) -> None:
        self.entity_type = entity_type
        self.precision = precision if precision is not None else Precision()
        """Notes how finely the server reports ``phenomenonTime``."""
        self.mapping = mapping
        self.match = match
        self.skipped: set[str] = set()
        """Why results were left out (unknown or unconvertible units), once each."""

    def entity(self, thing: object, datastreams: list[Datastream]) -> SourceEntity:
        """One entity from a Thing and all its (expanded) Datastreams."""
        if not isinstance(thing, Mapping) or "@iot.id" not in thing:
            raise UpstreamProtocolError("a Thing without @iot.id")
        properties = thing.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        attributes: dict[str, JSONValue] = {}
        stamps: dict[str, datetime] = {}
        for datastream in datastreams:
            self._datastream(datastream, attributes, stamps)
        for name, attribute in self.mapping.thing_properties.items():
            if name in properties:
                attributes[attribute] = properties[name]
        observed_at = max(stamps.values(), default=None)
        add_date_observed(self.entity_type, attributes, observed_at)
        return SourceEntity(
            id=self._id(thing["@iot.id"], properties),
            type=self.entity_type,
            location=self._location(thing.get("Locations")),
            observed_at=observed_at,
            attributes=attributes,
        )

    def attribute_of(self, datastream: object) -> tuple[str, str] | None:
        """``(observed property, attribute)`` of a mapped Datastream, else None."""
        if not isinstance(datastream, Mapping):
            raise UpstreamProtocolError("a Datastream is not a JSON object")
        observed = datastream.get("ObservedProperty")
        key = observed.get(self.match) if isinstance(observed, Mapping) else None
        attribute = self.mapping.properties.get(key) if isinstance(key, str) else None
        return (key, attribute) if isinstance(key, str) and attribute is not None else None

    def value(self, key: str, attribute: str, result: object, datastream: Datastream) -> JSONValue:
        """A result in the data model's unit; None (and noted) when it cannot be converted."""
        if isinstance(result, bool) or not isinstance(result, int | float):
            return result
        if isinstance(result, int) and _measurement(datastream):
            result = float(result)  # istSOS4 writes a whole measurement as 79, FROST as 79.0
        stated = self.mapping.units.get(key) or stated_unit(datastream.get("unitOfMeasurement"))
        try:
            return to_model_unit(self.entity_type, attribute, result, stated)
        except UnitError as exc:
            self.skipped.add(str(exc))
            return None

    def _datastream(
        self, datastream: object, attributes: dict[str, JSONValue], stamps: dict[str, datetime]
    ) -> None:
        mapped = self.attribute_of(datastream)
        assert isinstance(datastream, Mapping)
        observations = datastream.get("Observations")
        if mapped is None or not isinstance(observations, list) or not observations:
            return
        key, attribute = mapped
        latest = observations[0]
        if not isinstance(latest, Mapping):
            raise UpstreamProtocolError("an Observation is not a JSON object")
        stamp = latest.get("phenomenonTime")
        at = parse_instant(stamp, what="phenomenonTime")
        self.precision.saw(stamp)
        if attribute in stamps and stamps[attribute] >= at:
            return
        value = self.value(key, attribute, latest.get("result"), datastream)
        if value is not None:
            attributes[attribute] = value
            stamps[attribute] = at

    def id_of(self, thing: Mapping[str, Any]) -> str:
        """The entity id of a Thing."""
        properties = thing.get("properties")
        return self._id(thing.get("@iot.id"), properties if isinstance(properties, Mapping) else {})

    def _id(self, iot_id: object, properties: Mapping[str, Any]) -> str:
        name = self.mapping.id_property
        if name is not None:
            value = properties.get(name)
            if not isinstance(value, str) or not value:
                raise UpstreamProtocolError(f"a Thing has no string property {name!r} for its id")
            return value
        return f"urn:ngsi-ld:{self.entity_type}:{iot_id}"

    @staticmethod
    def _location(locations: object) -> Any:
        if not isinstance(locations, list):
            return None
        for location in locations:
            if isinstance(location, Mapping):
                point = representative_point(location.get("location"))
                if point is not None:
                    return point
        return None


def _measurement(datastream: Datastream) -> bool:
    """True when the Datastream's results are measurements (OM_Measurement: real numbers)."""
    kind = datastream.get("observationType")
    return isinstance(kind, str) and kind.endswith("OM_Measurement")


def stated_unit(stated: object) -> str | None:
    """The unit a ``unitOfMeasurement`` names: its symbol, else its definition URI."""
    if not isinstance(stated, Mapping):
        return None
    given = [stated.get(m) for m in ("symbol", "definition")]
    texts = [v for v in given if isinstance(v, str) and v.strip()]
    known = [t for t in texts if unit(t) is not None]
    chosen = known or texts
    return chosen[0] if chosen else None
