"""Events as bytes, for the replicas' fan-out through Redis pub/sub (JSON, orjson)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from adapters.contract import GeoPoint, SourceEntity
from gateway.live.events import EntityChange, Event, StreamChange, StreamState, Via
from gateway.query.coverage import CoverageStatus


def encode(event: Event) -> bytes:
    """``event`` as JSON bytes."""
    if isinstance(event, EntityChange):
        e = event.entity
        return orjson.dumps(
            {
                "kind": "entity",
                "city": event.city_id,
                "at": event.received_at,
                "via": event.via.value,
                "id": e.id,
                "type": e.type,
                "location": [e.location.lat, e.location.lon] if e.location else None,
                "observed": e.observed_at.isoformat() if e.observed_at else None,
                "attributes": e.attributes,
                "datasets": e.datasets,
            },
            default=str,
        )
    return orjson.dumps(
        {
            "kind": "stream",
            "city": event.city_id,
            "state": event.state.value,
            "status": event.status.value,
            "at": event.at,
            "message": event.message,
            "via": event.via.value if event.via else None,
        }
    )


def decode(raw: bytes) -> Event:
    """The event ``encode`` made; ValueError when ``raw`` is not one."""
    try:
        d: dict[str, Any] = orjson.loads(raw)
        if d["kind"] == "entity":
            location = GeoPoint(*d["location"]) if d["location"] else None
            observed = datetime.fromisoformat(d["observed"]) if d["observed"] else None
            entity = SourceEntity(
                d["id"], d["type"], location, observed, d["attributes"], d["datasets"]
            )
            return EntityChange(d["city"], entity, float(d["at"]), Via(d["via"]))
        return StreamChange(
            d["city"],
            StreamState(d["state"]),
            CoverageStatus(d["status"]),
            float(d["at"]),
            d["message"],
            Via(d["via"]) if d["via"] else None,
        )
    except (KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"not a live event: {exc}") from None
