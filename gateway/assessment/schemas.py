"""The Smart Data Models JSON Schemas, from local copies only (``data/smart-data-models``).

Remote ``$ref`` to shared definitions resolve from ``data/smart-data-models/remote``;
any other remote reference is an error, never a network request.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

MODELS = Path(__file__).resolve().parent / "data" / "smart-data-models"
_REMOTE: Mapping[str, str] = {
    "https://smart-data-models.github.io/data-models/common-schema.json": "common-schema.json",
    "https://smart-data-models.github.io/dataModel.Weather/weather-schema.json": (
        "weather-schema.json"
    ),
    "https://smart-data-models.github.io/dataModel.Device/device-schema.json": (
        "device-schema.json"
    ),
    "https://smart-data-models.github.io/dataModel.Environment/Environment-schema.json": (
        "Environment-schema.json"
    ),
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/"
    "Environment-schema.json": "Environment-schema.json",
}


def known_types() -> frozenset[str]:
    """The entity types with a schema here."""
    return frozenset(p.parent.name for p in MODELS.glob("*/schema.json"))


def schema_url(entity_type: str) -> str | None:
    """The ``$id`` of ``entity_type``'s schema (None: not a known model)."""
    schema = _schema(entity_type)
    return str(schema.get("$id")) if schema is not None else None


def has_property(entity_type: str, name: str) -> bool:
    """Whether ``entity_type``'s schema names property ``name`` (or requires it)."""
    schema = _schema(entity_type)
    if schema is None:
        return False
    parts = [schema, *schema.get("allOf", [])]
    return any(name in p.get("properties", {}) or name in p.get("required", []) for p in parts)


def requires(entity_type: str, name: str) -> bool:
    """Whether ``entity_type``'s schema requires property ``name``."""
    schema = _schema(entity_type)
    return schema is not None and name in schema.get("required", [])


def problems(entity: Mapping[str, Any]) -> list[str]:
    """What makes ``entity`` (key-values, GeoJSON location) break its model; [] when valid."""
    entity_type = str(entity.get("type"))
    validator = _validator(entity_type)
    if validator is None:
        return [f"{entity_type} is not a Smart Data Models type known here"]
    found: list[str] = []
    for error in sorted(validator.iter_errors(dict(entity)), key=lambda e: list(e.path)):
        chosen = best_match([error]) if error.context else error
        where = "/".join(str(p) for p in chosen.absolute_path) or "(entity)"
        found.append(f"{where}: {chosen.message}")
    return found


@functools.cache
def _schema(entity_type: str) -> dict[str, Any] | None:
    path = MODELS / entity_type / "schema.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator(entity_type: str) -> Draft202012Validator | None:
    schema = _schema(entity_type)
    if schema is None:
        return None
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@functools.cache
def _registry() -> Registry[Any]:
    resources = []
    for url, name in _REMOTE.items():
        contents = json.loads((MODELS / "remote" / name).read_text(encoding="utf-8"))
        resources.append((url, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(uri)
