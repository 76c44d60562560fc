"""An NGSI-LD GeoJSON answer (``application/geo+json``, GS CIM 009 clause 4.5.17) as entities.

A Feature's ``properties`` hold the entity's type and attributes; its ``geometry``
is the ``location`` (in any form the broker may have used), its ``id`` the entity id.
"""

from __future__ import annotations

from typing import Any

from adapters.errors import UpstreamProtocolError


def feature_entities(collection: dict[str, Any]) -> list[Any]:
    """The entities of a FeatureCollection, each as a plain (keyValues-like) object."""
    features = collection.get("features")
    if not isinstance(features, list):
        raise UpstreamProtocolError("the FeatureCollection has no 'features' array")
    return [feature_entity(f, i) for i, f in enumerate(features)]


def feature_entity(feature: Any, index: int = 0) -> Any:
    """One Feature as an entity; anything that is not a Feature is left to the mapper."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return feature
    properties = feature.get("properties")
    entity: dict[str, Any] = dict(properties) if isinstance(properties, dict) else {}
    entity["id"] = feature.get("id", entity.get("id"))
    if "location" not in entity and feature.get("geometry") is not None:
        entity["location"] = feature["geometry"]
    return entity
