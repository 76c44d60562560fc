"""One temporal entity of an answer, read into raw series: one per attribute and dataset.

Every temporal representation of GS CIM 009 clause 4.5.7 is read, with or without
``datasetId``:

- normalized: an array of instances, each ``{"type": "Property", "value": v,
  "observedAt": t, "datasetId"?: d}`` (one object when there is one instance);
- simplified (``temporalValues``): ``{"type": "Property", "values": [[v, t], ...],
  "datasetId"?: d}`` (``objects``, ``languageMaps``, ``vocabs``, ``jsons`` for the
  other attribute types), or an array of such objects, one per dataset;
- aggregated (``aggregatedValues``): ``{"avg": [[v, start, end], ...], ...}``, or an
  array of such objects, one per dataset.

A number with a ``unitCode`` comes out in the Smart Data Models unit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.contract import AGGREGATE_METHODS, HistoryPoint, JSONValue
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.contexts import TermMap
from adapters.ngsi_ld.mapping import in_model_unit, parse_datetime, plain, simplify
from adapters.sdk.models import model_unit
from adapters.sdk.units import unit

SeriesKey = tuple[str, str | None]
"""(attribute, dataset id); None is the default dataset."""
_SKIP = frozenset({"id", "@id", "type", "@type", "@context", "createdAt", "modifiedAt"})
_METHODS = frozenset(AGGREGATE_METHODS)
_PAIRS = ("values", "objects", "languageMaps", "vocabs", "jsons")
"""Members holding ``[value, time]`` pairs, per attribute type (Property, Relationship,
LanguageProperty, VocabProperty, JsonProperty; Stellio ``NgsiLdContextDefinitions.kt``)."""
_SERIES_MEMBERS = frozenset(_PAIRS) | _METHODS


@dataclass(slots=True)
class RawHistory:
    """One entity's points as they came, per (attribute, dataset), not yet clipped."""

    id: str
    type: str
    series: dict[SeriesKey, list[HistoryPoint]] = field(default_factory=dict)


def read_entity(
    raw: object,
    terms: TermMap,
    wanted: frozenset[str] | None,
    index: int,
    method: str | None = None,
) -> RawHistory:
    """One temporal entity; ``wanted`` limits the attributes read (None: all). Of an
    aggregated answer only ``method`` is read (a broker may send every method, as
    Scorpio's documented answer does); without one, the first present."""
    if not isinstance(raw, dict):
        raise UpstreamProtocolError(f"temporal entity #{index} is not an object")
    entity_id, entity_type = raw.get("id", raw.get("@id")), raw.get("type", raw.get("@type"))
    if not isinstance(entity_id, str) or not entity_id:
        raise UpstreamProtocolError(f"temporal entity #{index} has no string 'id'")
    if isinstance(entity_type, list):
        entity_type = next((t for t in entity_type if isinstance(t, str)), None)
    if not isinstance(entity_type, str):
        raise UpstreamProtocolError(f"temporal entity #{index} ({entity_id}) has no 'type'")
    found = RawHistory(entity_id, terms.compact(entity_type))
    for key, value in raw.items():
        if key in _SKIP:
            continue
        name = terms.compact(key)
        if wanted is not None and name not in wanted:
            continue
        units = _Units(found.type, name, method)
        for dataset, point in _points(value, terms, units):
            found.series.setdefault((name, dataset), []).append(point)
    return found


@dataclass(frozen=True, slots=True)
class _Units:
    """Converts one attribute's numbers from a stated ``unitCode`` to the model's unit."""

    entity_type: str
    name: str
    method: str | None = None
    """The aggregation method to read of an aggregated answer."""

    def value(self, value: JSONValue, code: object, method: str | None = None) -> JSONValue:
        if code is None or method == "totalCount":
            return value
        if method == "sum" and not self._offset_free(code):
            return None  # a sum of °F is no sum of °C
        return in_model_unit(self.entity_type, self.name, value, code)

    def _offset_free(self, code: object) -> bool:
        source = unit(code) if isinstance(code, str) else None
        target = model_unit(self.entity_type, self.name)
        return source is None or target is None or (source.offset == 0 and target.offset == 0)


def _points(value: Any, terms: TermMap, units: _Units) -> Iterator[tuple[str | None, HistoryPoint]]:
    parts = value if isinstance(value, list) else [value]
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        dataset = _dataset(part)
        if _SERIES_MEMBERS & part.keys():
            yield from ((dataset, p) for p in _series(part, units))
        else:
            yield from ((dataset, p) for p in _instance(part, terms, units))


def _dataset(part: Mapping[str, Any]) -> str | None:
    dataset = plain(part.get("datasetId"))
    return dataset if isinstance(dataset, str) and dataset else None


def _series(value: Mapping[str, Any], units: _Units) -> Iterator[HistoryPoint]:
    code = value.get("unitCode")
    for member in _PAIRS:
        pairs = value.get(member)
        if isinstance(pairs, list):
            for pair in pairs:
                if isinstance(pair, list) and len(pair) >= 2:
                    at = parse_datetime(pair[1])
                    if at is not None:
                        yield HistoryPoint(at, units.value(plain(pair[0]), code))
            return
    present = sorted(_METHODS & value.keys())
    method = units.method if units.method is not None else next(iter(present), None)
    if method in present:
        for triple in value[method] if isinstance(value[method], list) else ():
            if isinstance(triple, list) and len(triple) >= 3:
                start, end = parse_datetime(triple[1]), parse_datetime(triple[2])
                if start is not None:
                    number = units.value(plain(triple[0]), code, method)
                    yield HistoryPoint(start, number, end or start)


def _instance(instance: Mapping[str, Any], terms: TermMap, units: _Units) -> Iterator[HistoryPoint]:
    at = parse_datetime(plain(instance.get("observedAt")))
    if at is not None:
        value: JSONValue = simplify(dict(instance), terms)
        yield HistoryPoint(at, units.value(value, instance.get("unitCode")))
