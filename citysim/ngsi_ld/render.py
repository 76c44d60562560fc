"""Entities as JSON: normalized, concise or simplified (keyValues), compacted for the client.

Normalized: every attribute is ``{"type": ..., "value"|"object": ..., "observedAt"?,
"unitCode"?, sub-attributes?}``. Concise drops ``type`` and, without sub-attributes, an
attribute becomes its bare value (unless that value is a JSON object). Simplified
maps each attribute to its value (a Relationship to its object, a GeoProperty to
its GeoJSON geometry). Values are returned as stored; typed literals such as
``{"@type": "DateTime", "@value": ...}`` stay typed in every form.
"""

from __future__ import annotations

from typing import Any, Literal

from citysim.jsonld import CORE_CONTEXT_URL
from citysim.ngsi_ld.vocabulary import output_names
from citysim.settings import ContextStyle
from citysim.world.city import Entity
from citysim.world.model import AttrSpec

Form = Literal["normalized", "concise", "simplified"]


class Renderer:
    """Renders the entities of one answer with the request's @context and form."""

    def __init__(self, form: Form, context_url: str, style: ContextStyle, *, ld: bool) -> None:
        self.form = form
        self.context_url = context_url
        self.style = style
        self.ld = ld
        """``application/ld+json``: each entity carries its ``@context``."""

    @property
    def body_context(self) -> str | list[str]:
        """The ``@context`` member: the client's context and the core context."""
        if self.context_url == CORE_CONTEXT_URL:
            return CORE_CONTEXT_URL
        return [self.context_url, CORE_CONTEXT_URL]

    def entity(self, entity: Entity, attrs: frozenset[str] | None = None) -> dict[str, Any]:
        """One entity; ``attrs`` (attribute names) limits the attributes rendered."""
        model = entity.model
        type_term, names = output_names(model.type_name, self.style, self.context_url)
        out: dict[str, Any] = {"id": entity.id, "type": type_term}
        for spec in model.attributes:
            name = spec.name
            if attrs is not None and name not in attrs:
                continue
            if name == "location":
                out[names[name]] = self._attribute(entity, spec, entity.geometry)
            elif name in entity.values:
                out[names[name]] = self._attribute(entity, spec, entity.values[name])
        if self.ld:
            out["@context"] = self.body_context
        return out

    def feature(self, entity: Entity, attrs: frozenset[str] | None = None) -> dict[str, Any]:
        """One entity as a GeoJSON Feature (``application/geo+json``), geometry from location."""
        properties = self.entity(entity, attrs)
        properties.pop("@context", None)
        feature_id = properties.pop("id")
        return {
            "id": feature_id,
            "type": "Feature",
            "geometry": entity.geometry,
            "properties": properties,
        }

    def _attribute(self, entity: Entity, spec: AttrSpec, value: Any) -> Any:
        if self.form == "simplified":
            return value
        member = "object" if spec.kind == "Relationship" else "value"
        extra: dict[str, Any] = {}
        if spec.name in entity.model.measured:
            extra["observedAt"] = entity.observed_at
        if spec.unit_code is not None:
            extra["unitCode"] = spec.unit_code
        for sub, attr in entity.sub_attributes(spec).items():
            extra[sub] = attr if self.form == "normalized" else _concise_sub(attr)
        if self.form == "normalized":
            return {"type": spec.kind, member: value, **extra}
        if (
            extra
            or spec.kind == "Relationship"
            or (isinstance(value, dict) and spec.kind == "Property")
        ):
            return {member: value, **extra}
        return value


def _concise_sub(attr: Any) -> Any:
    if isinstance(attr, dict):
        return {k: v for k, v in attr.items() if k != "type"}
    return attr
