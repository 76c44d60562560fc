"""A rendered stored entity as a GeoJSON Feature (GS CIM 009 clause 4.5.17).

The geometry is the value of ``geometryProperty`` (default ``location``), or null
when the entity has no such GeoProperty; every other member goes to ``properties``.
"""

from __future__ import annotations

from typing import Any


def feature(entity: dict[str, Any], geometry_property: str) -> dict[str, Any]:
    """``entity`` (already rendered) as a Feature."""
    properties = {k: v for k, v in entity.items() if k not in ("id", "@context")}
    found = entity.get(geometry_property)
    geometry = found.get("value", found) if isinstance(found, dict) else None
    if isinstance(geometry, dict) and "coordinates" not in geometry:
        geometry = None
    return {
        "id": entity.get("id"),
        "type": "Feature",
        "geometry": geometry,
        "properties": properties,
    }
