"""Entries as bytes, for the shared tier (orjson; a version field guards the format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from adapters.contract import GeoPoint, SourceEntity, SourceResult
from gateway.query.cache.entry import Entry

FORMAT = 2
"""2: each entity carries its datasets (ADR 0010); an entry of format 1 is a miss."""


class CodecError(ValueError):
    """Bytes that are not an entry of this format."""


def encode_entry(entry: Entry) -> bytes:
    """``entry`` as JSON bytes."""
    result = entry.result
    return orjson.dumps(
        {
            "format": FORMAT,
            "times": [
                entry.stored_at,
                entry.fresh_until,
                entry.revalidate_until,
                entry.usable_until,
            ],
            "total": result.total_count,
            "truncated": result.truncated,
            "cache_control": result.cache_control,
            "validator": result.validator,
            "entities": [
                [
                    e.id,
                    e.type,
                    None if e.location is None else [e.location.lat, e.location.lon],
                    e.observed_at,
                    e.attributes,
                    {name: dict(named) for name, named in e.datasets.items()},
                ]
                for e in result.entities
            ],
        }
    )


def decode_entry(data: bytes) -> Entry:
    """The entry ``encode_entry`` made; raises CodecError on anything else."""
    try:
        raw = orjson.loads(data)
        if raw.get("format") != FORMAT:
            raise CodecError(f"format {raw.get('format')!r}, expected {FORMAT}")
        stored, fresh, revalidate, usable = (float(t) for t in raw["times"])
        result = SourceResult(
            entities=[_entity(e) for e in raw["entities"]],
            total_count=raw["total"],
            truncated=bool(raw["truncated"]),
            cache_control=raw["cache_control"],
            validator=raw["validator"],
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CodecError(f"not a cache entry: {exc}") from None
    return Entry(result, stored, fresh, revalidate, usable)


def _entity(raw: list[Any]) -> SourceEntity:
    entity_id, type_, location, observed_at, attributes, datasets = raw
    if not isinstance(attributes, dict):
        raise TypeError("attributes must be an object")
    if not isinstance(datasets, dict) or not all(isinstance(d, dict) for d in datasets.values()):
        raise TypeError("datasets must be an object of objects")
    return SourceEntity(
        id=str(entity_id),
        type=str(type_),
        location=None if location is None else GeoPoint(float(location[0]), float(location[1])),
        observed_at=None if observed_at is None else datetime.fromisoformat(observed_at),
        attributes=attributes,
        datasets=datasets,
    )
