"""NGSI-LD entities (normalized or keyValues, compacted or expanded) -> ``SourceEntity``.

Both representations map to the same thing: attributes in keyValues form
(Property -> value, Relationship -> object, LanguageProperty -> its language
map, typed literals ``{"@type": ..., "@value": v}`` -> ``v``), names compacted
with the shipped contexts. A number with a ``unitCode`` (normalized form) comes
out in the Smart Data Models unit, like the SensorThings and Lynx adapters give it
(``adapters.sdk.models``). An attribute with several instances (``datasetId``) gives
its default instance as the attribute and every named one in ``datasets``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from adapters.contract import NO_DATASETS, JSONValue, SourceEntity
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.contexts import TermMap
from adapters.sdk.geojson import representative_point
from adapters.sdk.models import to_model_unit
from adapters.sdk.units import UnitError

LOCATION = "location"
DATASET = "dataset"
"""The member of a simplified multi-instance attribute holding its values by dataset id."""
NO_DATASET_ID = "@none"
_MEMBER = {
    "Property": "value",
    "GeoProperty": "value",
    "Relationship": "object",
    "LanguageProperty": "languageMap",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
    "JsonProperty": "json",
    "VocabProperty": "vocab",
    "VocabularyProperty": "vocab",
}
"""Attribute type -> the member holding its value (normalized form)."""
_WRAPPERS = frozenset(_MEMBER.values()) - {"value", "object"}
"""Simplified forms that stay wrapped, e.g. ``{"languageMap": {...}}``."""
_ENTITY_MEMBERS = frozenset(
    {"id", "@id", "type", "@type", "@context", "createdAt", "modifiedAt", "deletedAt"}
)
_LITERAL_MEMBERS = frozenset({"@value", "@type", "@language"})
_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Exact types of JSON scalars: such a value maps to itself."""


def to_source_entity(
    raw: object,
    terms: TermMap,
    *,
    index: int = 0,
    wanted: frozenset[str] | None = None,
    time_property: str | None = "dateObserved",
    expected_type: str | None = None,
) -> SourceEntity:
    """Map one entity of a query answer; ``wanted`` limits the attributes kept (None: all)."""
    if not isinstance(raw, dict):
        raise UpstreamProtocolError(f"entity #{index} is a JSON {_kind(raw)}, not an object")
    entity_id = raw.get("id", raw.get("@id"))
    if not isinstance(entity_id, str) or not entity_id:
        raise UpstreamProtocolError(f"entity #{index} has no string 'id'")
    raw_type = raw.get("type", raw.get("@type"))
    if type(raw_type) is str and raw_type and ":" not in raw_type:
        entity_type: str | None = raw_type  # a term already: what compact would answer
    else:
        entity_type = _entity_type(raw_type, terms, expected_type)
    if entity_type is None:
        raise UpstreamProtocolError(f"entity #{index} ({entity_id}) has no string 'type'")
    values: dict[str, JSONValue] = {}
    datasets: dict[str, dict[str, JSONValue]] | None = None
    observed_ats: list[datetime] = []
    compact = terms.compact
    for key, value in raw.items():
        if key in _ENTITY_MEMBERS:
            continue
        name = compact(key) if ":" in key else key
        if type(value) in _SCALARS:  # most keyValues attributes: nothing to simplify
            values[name] = value
        elif name == LOCATION and type(value) is dict and _flat_point(value):
            values[name] = value  # representative_point reads it as it is
        elif type(value) is list and len(value) > 1 and all(_attr_type(v, terms) for v in value):
            values[name], named = _instances(entity_type, name, value, terms, observed_ats)
            if named:
                datasets = datasets or {}
                datasets[name] = named
        elif type(value) is dict and value.keys() == {DATASET} and type(value[DATASET]) is dict:
            values[name], named = _simplified_instances(value[DATASET], terms)
            if named:
                datasets = datasets or {}
                datasets[name] = named
        else:
            values[name] = _simplified(value, terms, observed_ats)
            if type(value) is dict and "unitCode" in value:
                values[name] = in_model_unit(entity_type, name, values[name], value["unitCode"])
    observed_at = parse_datetime(values.get(time_property)) if time_property else None
    if observed_at is None and observed_ats:
        observed_at = max(observed_ats)
    location = representative_point(values.pop(LOCATION, None))
    if wanted is not None:
        values = {k: v for k, v in values.items() if k in wanted}
        if datasets:
            datasets = {k: v for k, v in datasets.items() if k in wanted}
    return SourceEntity(
        entity_id, entity_type, location, observed_at, values, datasets or NO_DATASETS
    )


def _instances(
    entity_type: str,
    name: str,
    instances: list[dict[str, Any]],
    terms: TermMap,
    observed_ats: list[datetime],
) -> tuple[JSONValue, dict[str, JSONValue]]:
    """Of a multi-instance attribute: the default instance's value (the one without a
    ``datasetId``; none: the first), and the value of every instance with an id."""
    default: list[JSONValue] = []
    named: dict[str, JSONValue] = {}
    for instance in instances:
        value = _simplified(instance, terms, observed_ats)
        if "unitCode" in instance:
            value = in_model_unit(entity_type, name, value, instance["unitCode"])
        dataset = instance.get("datasetId")
        if isinstance(dataset, str) and dataset:
            named.setdefault(dataset, value)
        elif not default:
            default.append(value)
    return (default[0] if default else next(iter(named.values()))), named


def _simplified_instances(
    by_dataset: dict[str, Any], terms: TermMap
) -> tuple[JSONValue, dict[str, JSONValue]]:
    """A multi-instance attribute in the simplified form, ``{"dataset": {"@none": v0,
    "urn:...": v1}}`` (GS CIM 009 4.5.4; Stellio ``simplifyMultiInstanceAttribute``)."""
    named = {k: simplify(v, terms) for k, v in by_dataset.items() if k != NO_DATASET_ID}
    if NO_DATASET_ID in by_dataset:
        return simplify(by_dataset[NO_DATASET_ID], terms), named
    return (next(iter(named.values())) if named else None), named


def in_model_unit(entity_type: str, name: str, value: JSONValue, unit_code: object) -> JSONValue:
    """A number stated in ``unit_code`` (UN/CEFACT, as NGSI-LD ``unitCode``) in the Smart
    Data Models unit of ``entity_type.name``; None when that unit cannot be reached."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not isinstance(unit_code, str):
        return value
    try:
        return to_model_unit(entity_type, name, value, unit_code)
    except UnitError:
        return None


def _simplified(value: object, terms: TermMap, observed_ats: list[datetime]) -> JSONValue:
    """``simplify(value)``; the attribute's ``observedAt`` times go to ``observed_ats``."""
    if type(value) is dict:
        kind = _attr_type(value, terms)
        if kind is not None:
            moment = parse_datetime(plain(value.get("observedAt")))
            if moment is not None:
                observed_ats.append(moment)
        return _simplify_dict(value, kind, terms)
    observed_ats.extend(_observed_ats(value, terms))
    return simplify(value, terms)


def _flat_point(value: dict[str, Any]) -> bool:
    """A GeoJSON Point of scalars: ``plain`` would copy it unchanged, and a Point is no
    attribute (no ``observedAt``)."""
    coordinates = value.get("coordinates")
    if value.get("type") != "Point" or type(coordinates) is not list:
        return False
    if len(coordinates) == 2:  # the common case, without the generator
        return type(coordinates[0]) in _SCALARS and type(coordinates[1]) in _SCALARS
    return _SCALARS.issuperset(map(type, coordinates))


def _entity_type(value: object, terms: TermMap, expected: str | None) -> str | None:
    if isinstance(value, str):
        return terms.compact(value) if value else None
    names = value if isinstance(value, list) else []
    types = [terms.compact(t) for t in names if isinstance(t, str) and t]
    if expected is not None and expected in types:
        return expected
    return types[0] if types else None


def simplify(value: object, terms: TermMap) -> JSONValue:
    """One attribute in keyValues form, whichever form it came in."""
    if isinstance(value, list) and value and all(_attr_type(v, terms) for v in value):
        return simplify(_default_instance(value), terms)
    if isinstance(value, dict):
        return _simplify_dict(value, _attr_type(value, terms), terms)
    return plain(value)


def _simplify_dict(value: dict[str, Any], kind: str | None, terms: TermMap) -> JSONValue:
    """``simplify`` of an object whose attribute type (``_attr_type``) is ``kind``."""
    if kind is not None:
        return _member_value(kind, value[_MEMBER[kind]], terms)
    if len(value) == 1:
        ((member, inner),) = value.items()
        if member in _WRAPPERS:  # simplified LanguageProperty, ListProperty, ...
            return _member_value(_kind_of(member), inner, terms)
    return plain(value)


def _member_value(kind: str, value: object, terms: TermMap) -> JSONValue:
    if kind == "ListRelationship" and isinstance(value, list):
        return [v.get("object") if isinstance(v, dict) else v for v in value]
    if kind in ("VocabProperty", "VocabularyProperty"):
        if isinstance(value, str):
            return terms.compact(value)
        if isinstance(value, list):
            return [terms.compact(v) if isinstance(v, str) else plain(v) for v in value]
    return plain(value)


def _kind_of(member: str) -> str:
    return next(kind for kind, m in _MEMBER.items() if m == member)


def _attr_type(value: object, terms: TermMap) -> str | None:
    """The NGSI-LD attribute type of a normalized attribute, else None."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type", value.get("@type"))
    if not isinstance(kind, str):
        return None
    kind = terms.compact(kind)
    member = _MEMBER.get(kind)
    return kind if member is not None and member in value else None


def _default_instance(instances: list[Any]) -> Any:
    """Of a multi-attribute, the instance without ``datasetId`` (else the first)."""
    return next((i for i in instances if "datasetId" not in i), instances[0])


def plain(value: object) -> JSONValue:
    """``value`` with JSON-LD typed literals ``{"@type": t, "@value": v}`` replaced by ``v``."""
    if isinstance(value, dict):
        if "@value" in value and value.keys() <= _LITERAL_MEMBERS:
            return plain(value["@value"])
        return {k: v if type(v) in _SCALARS else plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    return value


def _observed_ats(value: object, terms: TermMap) -> Iterator[datetime]:
    instances = value if isinstance(value, list) else [value]
    for instance in instances:
        if _attr_type(instance, terms) is not None:
            assert isinstance(instance, dict)
            moment = parse_datetime(plain(instance.get("observedAt")))
            if moment is not None:
                yield moment


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 DateTime as aware UTC (naive: taken as UTC); an interval gives its end."""
    if not isinstance(value, str) or not value:
        return None
    return _parsed(value)


@functools.lru_cache(maxsize=4096)
def _parsed(value: str) -> datetime | None:
    """``parse_datetime`` of a non-empty string, remembered: a platform sends the same
    times again on every query until its data changes (datetimes are immutable)."""
    text = value.rsplit("/", 1)[-1] if "/" in value else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _kind(value: object) -> str:
    return {
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
