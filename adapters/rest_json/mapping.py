"""One JSON item -> ``SourceEntity``, by a type's mapping.

A GeoJSON Feature (``accept: application/geo+json``) is read as its properties
with ``id`` and ``location`` (the geometry) added, so one mapping serves both.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from adapters.contract import GeoPoint, JSONValue, SourceEntity
from adapters.errors import UpstreamProtocolError
from adapters.rest_json.config import Location, TypeMapping
from adapters.rest_json.expressions import Field, Template
from adapters.sdk.geojson import representative_point


def from_feature(item: Any) -> Any:
    """A GeoJSON Feature as a plain item; anything else unchanged."""
    if isinstance(item, dict) and item.get("type") == "Feature":
        properties = item.get("properties")
        plain = dict(properties) if isinstance(properties, dict) else {}
        plain.setdefault("id", item.get("id"))
        plain["location"] = item.get("geometry")
        return plain
    return item


def to_source_entity(
    item: Any,
    entity_type: str,
    mapping: TypeMapping,
    *,
    index: int = 0,
    wanted: frozenset[str] | None = None,
) -> SourceEntity:
    """Map one item; ``wanted`` limits the attributes kept (None: all)."""
    item = from_feature(item)
    if not isinstance(item, dict):
        raise UpstreamProtocolError(f"item #{index} is not a JSON object")
    entity_id = _evaluate(mapping.id, item)
    if entity_id is None or entity_id == "":
        raise UpstreamProtocolError(f"item #{index} has no id ({_source(mapping.id)} is empty)")
    attributes: dict[str, JSONValue] = {}
    for name, expression in mapping.attributes.items():
        if wanted is not None and name not in wanted:
            continue
        value = _evaluate(expression, item)
        if value is not None:
            attributes[name] = value.isoformat() if isinstance(value, datetime) else value
    observed = _evaluate(mapping.observed_at, item) if mapping.observed_at else None
    return SourceEntity(
        id=str(entity_id),
        type=entity_type,
        location=_location(mapping.location, item),
        observed_at=_moment(observed),
        attributes=attributes,
    )


def _evaluate(expression: Field, item: Any) -> Any:
    return expression.evaluate(item)


def _source(expression: Field) -> str:
    return expression.source if isinstance(expression, Template) else repr(expression.source)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def _location(location: Location | None, item: Any) -> GeoPoint | None:
    if location is None:
        return None
    if location.geometry is not None:
        return representative_point(_evaluate(location.geometry, item))
    assert location.lat is not None
    assert location.lon is not None
    return _point(_evaluate(location.lat, item), _evaluate(location.lon, item))


def _point(lat: Any, lon: Any) -> GeoPoint | None:
    for c in (lat, lon):
        if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c):
            return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GeoPoint(lat=float(lat), lon=float(lon))
