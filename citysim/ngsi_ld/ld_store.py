"""Entities created through the API, kept in memory per broker, in expanded form.

An entity is stored with its type IRIs and, per attribute IRI, its instances
(one per ``datasetId``), each normalized (GS CIM 009 clause 4.5): ``type`` plus
``value`` / ``object`` / ``languageMap`` / ``vocab`` / ``json``, its own members
(``observedAt``, ``unitCode``, ``datasetId``, ...) and sub-attributes under their
IRIs. Concise input (clause 4.5.3) is normalized on the way in. Every instance
carries ``createdAt`` and ``modifiedAt``. Sizes are bounded (``MAX_ENTITIES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.geo import GEOMETRIES
from citysim.ngsi_ld.problems import ngsi_problem

MAX_ENTITIES = 100_000
"""Entities one broker keeps; creating more is refused (memory stays bounded)."""

ATTRIBUTE_TYPES = frozenset(
    {
        "Property", "Relationship", "GeoProperty", "LanguageProperty", "VocabProperty",
        "JsonProperty", "ListProperty", "ListRelationship",
    }
)  # fmt: skip
VALUE_MEMBER = {
    "Property": "value",
    "GeoProperty": "value",
    "Relationship": "object",
    "LanguageProperty": "languageMap",
    "VocabProperty": "vocab",
    "JsonProperty": "json",
    "ListProperty": "valueList",
    "ListRelationship": "objectList",
}
CORE_MEMBERS = frozenset(
    {
        "type", "value", "object", "languageMap", "vocab", "json", "valueList", "objectList",
        "observedAt", "unitCode", "datasetId", "createdAt", "modifiedAt", "deletedAt",
        "instanceId", "objectType", "lang", "@context",
    }
)  # fmt: skip
SYSTEM_MEMBERS = frozenset({"createdAt", "modifiedAt", "deletedAt", "instanceId"})
ENTITY_MEMBERS = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt"})
GEO_NAMES = frozenset({"location", "observationSpace", "operationSpace"})

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_FORBIDDEN = re.compile(r"[<>\"'=;()\s]")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def now_iso() -> str:
    """The current time as an NGSI-LD DateTime (UTC, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bad_data(detail: str) -> Exception:
    """400 BadRequestData: the content does not meet the operation's requirements."""
    return ngsi_problem(400, "BadRequestData", detail)


def invalid(detail: str) -> Exception:
    """400 InvalidRequest: the request is syntactically invalid (e.g. not JSON)."""
    return ngsi_problem(400, "InvalidRequest", detail)


def is_uri(text: object) -> bool:
    """True for an absolute URI as NGSI-LD identifiers need."""
    return isinstance(text, str) and bool(_URI.match(text))


@dataclass(slots=True)
class StoredEntity:
    """One entity: id, type IRIs, attribute IRI -> instances, scopes, system times."""

    id: str
    types: list[str]
    attrs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scope: list[str] | None = None
    created_at: str = ""
    modified_at: str = ""

    def instance(self, iri: str, dataset_id: str | None = None) -> dict[str, Any] | None:
        """The instance of ``iri`` with ``dataset_id`` (None: the default instance)."""
        for item in self.attrs.get(iri, ()):
            if item.get("datasetId") == dataset_id:
                return item
        return None

    def put(self, iri: str, item: dict[str, Any], at: str) -> None:
        """Add or replace the instance of ``item``'s datasetId, keeping its createdAt."""
        instances = self.attrs.setdefault(iri, [])
        for i, old in enumerate(instances):
            if old.get("datasetId") == item.get("datasetId"):
                item["createdAt"] = old.get("createdAt", at)
                item["modifiedAt"] = at
                instances[i] = item
                return
        item.setdefault("createdAt", at)
        item["modifiedAt"] = at
        instances.append(item)


class EntityStore:
    """The entities of one broker, by id, in insertion order."""

    def __init__(self) -> None:
        self._entities: dict[str, StoredEntity] = {}

    def __len__(self) -> int:
        return len(self._entities)

    def __iter__(self) -> Iterator[StoredEntity]:
        return iter(list(self._entities.values()))

    def get(self, entity_id: str) -> StoredEntity | None:
        """The entity with ``entity_id``, if any."""
        return self._entities.get(entity_id)

    def add(self, entity: StoredEntity) -> None:
        """Store a new entity (the caller checked it does not exist)."""
        if len(self._entities) >= MAX_ENTITIES and entity.id not in self._entities:
            raise ngsi_problem(
                400, "BadRequestData", f"this broker keeps at most {MAX_ENTITIES} entities"
            )
        self._entities[entity.id] = entity

    def remove(self, entity_id: str) -> bool:
        """Delete ``entity_id``; False when it did not exist."""
        return self._entities.pop(entity_id, None) is not None


def expand_entity(
    body: Any, ctx: TermContext, *, partial: bool = False, temporal: bool = False
) -> StoredEntity:
    """The stored form of an entity payload; ``partial``: id and type may be missing;
    ``temporal``: an attribute may hold several instances of one datasetId (its history)."""
    if not isinstance(body, dict):
        raise bad_data("the payload must be a JSON object (an entity)")
    entity_id = body.get("id", "")
    if (not partial or "id" in body) and not is_uri(entity_id):
        raise bad_data(f"id: {entity_id!r} is not a URI")
    types = expand_types(body.get("type"), ctx) if (not partial or "type" in body) else []
    at = now_iso()
    entity = StoredEntity(id=entity_id, types=types, created_at=at, modified_at=at)
    if "scope" in body:
        entity.scope = parse_scope(body["scope"])
    for name, raw in body.items():
        if name in ENTITY_MEMBERS:
            continue
        iri = expand_name(name, ctx)
        for item in expand_attribute(name, raw, ctx, temporal=temporal):
            if temporal:
                entity.attrs.setdefault(iri, []).append(item)
            else:
                entity.put(iri, item, at)
    return entity


def expand_types(raw: Any, ctx: TermContext) -> list[str]:
    """Type names expanded; at least one is needed."""
    names = raw if isinstance(raw, list) else [raw]
    if not names or not all(isinstance(n, str) and n for n in names):
        raise bad_data("type: needed, a name or a list of names")
    return [ctx.expand(n) for n in names]


def parse_scope(raw: Any) -> list[str]:
    """Scopes (``/a/b``), as a list."""
    scopes = raw if isinstance(raw, list) else [raw]
    for scope in scopes:
        if not isinstance(scope, str) or not re.fullmatch(r"(/[\w-]+)+|/#", scope):
            raise bad_data(f"scope: {scope!r} is not a scope like /Madrid/Gardens")
    return list(scopes)


def expand_name(name: str, ctx: TermContext) -> str:
    """An attribute name expanded; refuses names NGSI-LD forbids."""
    if not name or _FORBIDDEN.search(name):
        raise bad_data(f"{name!r} is not a valid attribute name")
    return ctx.expand(name)


def expand_attribute(
    name: str, raw: Any, ctx: TermContext, *, temporal: bool = False
) -> list[dict[str, Any]]:
    """The instances of one attribute (a list of instances is a multi-attribute)."""
    if isinstance(raw, list) and raw and all(_is_instance(x) for x in raw):
        items = [expand_instance(name, x, ctx) for x in raw]
        datasets = [i.get("datasetId") for i in items]
        if not temporal and len(set(datasets)) != len(datasets):
            raise bad_data(f"{name}: two instances with the same datasetId")
        return items
    return [expand_instance(name, raw, ctx)]


def _is_instance(raw: Any) -> bool:
    return isinstance(raw, dict) and (
        raw.get("type") in ATTRIBUTE_TYPES or any(m in raw for m in VALUE_MEMBER.values())
    )


def expand_instance(name: str, raw: Any, ctx: TermContext) -> dict[str, Any]:
    """One attribute instance, normalized, sub-attributes expanded; checks what it must hold."""
    if raw is None:
        raise bad_data(f"{name}: null is not an attribute value")
    if not isinstance(raw, dict):
        return {"type": "Property", "value": raw}
    kind = _kind(name, raw)
    if kind is None:
        return {"type": "Property", "value": raw}
    if kind == "GeoProperty" and "value" not in raw:
        _check_value(name, kind, raw)
        return {"type": kind, "value": raw}
    member = VALUE_MEMBER[kind]
    if member not in raw:
        raise bad_data(f"{name}: a {kind} needs {member!r}")
    value = raw[member]
    if value is None:
        raise bad_data(f"{name}: {member} is null")
    _check_value(name, kind, value)
    out: dict[str, Any] = {"type": kind, member: value}
    for key, sub in raw.items():
        if key in ("type", member) or key in SYSTEM_MEMBERS:
            continue
        if key in CORE_MEMBERS:
            _check_member(name, key, sub)
            out[key] = sub
        else:
            out[expand_name(key, ctx)] = expand_instance(f"{name}.{key}", sub, ctx)
    return out


def _kind(name: str, raw: Any) -> str | None:
    if isinstance(raw, dict):
        declared = raw.get("type")
        if declared in ATTRIBUTE_TYPES:
            return str(declared)
        if declared in GEOMETRIES and "coordinates" in raw:
            return "GeoProperty"
        if declared is not None and "value" in raw:
            raise bad_data(f"{name}: {declared!r} is not an attribute type")
        for kind, member in VALUE_MEMBER.items():
            if member in raw and kind != "GeoProperty":
                if kind == "Property" and name.split(".")[-1] in GEO_NAMES:
                    return "GeoProperty"
                return kind
        return None
    return None


def _check_value(name: str, kind: str, value: Any) -> None:
    if kind == "Relationship":
        objects = value if isinstance(value, list) else [value]
        if not objects or not all(is_uri(o) for o in objects):
            raise bad_data(f"{name}: the object of a Relationship must be a URI")
    elif kind == "GeoProperty":
        if not isinstance(value, dict) or value.get("type") not in GEOMETRIES:
            raise bad_data(f"{name}: a GeoProperty's value must be a GeoJSON geometry")
        if not isinstance(value.get("coordinates"), list):
            raise bad_data(f"{name}: a GeoJSON geometry needs coordinates")
    elif kind == "LanguageProperty" and not (
        isinstance(value, dict) and all(isinstance(v, str | list) for v in value.values())
    ):
        raise bad_data(f"{name}: languageMap must map language tags to strings")


def _check_member(name: str, key: str, value: Any) -> None:
    if key == "observedAt" and not (isinstance(value, str) and _DATETIME.match(value)):
        raise bad_data(f"{name}.observedAt: {value!r} is not a DateTime")
    if key == "datasetId" and not is_uri(value):
        raise bad_data(f"{name}.datasetId: {value!r} is not a URI")
    if key == "unitCode" and not isinstance(value, str):
        raise bad_data(f"{name}.unitCode: must be a string")
