"""``/status.json``: the federation at a glance, for the status page and for people with curl.

Per city: platform kind, health, latency p50/p95 (ms, over the last requests),
last error, position on the map; and, when those metrics exist in the
registry, the circuit breaker's state and the cache hit ratio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from gateway.ops.status.city_health import CityHealth
from gateway.ops.status.map import HEIGHT, WIDTH, place
from gateway.process.runtime import Runtime

BREAKER_STATES = {0.0: "closed", 1.0: "half-open", 2.0: "open"}


def status_document(
    runtime: Runtime | None,
    health: CityHealth,
    registry: CollectorRegistry,
    loaded_at: float,
    refresh_s: float,
) -> dict[str, Any]:
    """The JSON document (camelCase keys, as the GraphQL API)."""
    samples = _samples(registry)
    doc: dict[str, Any] = {
        "generatedAt": _iso(datetime.now(UTC).timestamp()),
        "ready": runtime is not None,
        "refreshSeconds": refresh_s,
        "map": {"width": WIDTH, "height": HEIGHT},
        "graphql": "/graphql",
        "cities": [],
    }
    if runtime is None:
        return doc
    federation = runtime.federation
    doc["federation"] = {
        "source": federation.source,
        "cities": len(federation.cities),
        "loadedAt": _iso(loaded_at),
    }
    hit_ratio = _hit_ratio(samples.get("caap_cache_events_total", []), city=None)
    if hit_ratio is not None:
        doc["cacheHitRatio"] = hit_ratio
    breakers = {
        labels.get("city"): value for labels, value in samples.get("caap_circuit_state", [])
    }
    for city_id, city in federation.cities.items():
        view = health.view(city_id)
        entry: dict[str, Any] = {
            "id": city_id,
            "name": city.name,
            "kommunkod": city.kommunkod,
            "kind": city.adapter.kind,
            "health": view.health.value,
            "p50Ms": view.p50_ms,
            "p95Ms": view.p95_ms,
            "requests": view.requests,
            "lastOkAt": _iso(view.last_ok_at) if view.last_ok_at is not None else None,
            "lastError": None,
        }
        if view.last_error is not None:
            entry["lastError"] = {
                "message": view.last_error.message,
                "at": _iso(view.last_error.at),
            }
        if city_id in breakers:
            entry["breaker"] = BREAKER_STATES.get(breakers[city_id], "unknown")
        city_ratio = _hit_ratio(samples.get("caap_cache_events_total", []), city=city_id)
        if city_ratio is not None:
            entry["cacheHitRatio"] = city_ratio
        spot = place(city.kommunkod)
        if spot is not None:
            entry["x"], entry["y"] = spot
        doc["cities"].append(entry)
    return doc


Sample = tuple[Mapping[str, str], float]


def _samples(registry: CollectorRegistry) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = defaultdict(list)
    for family in registry.collect():
        for sample in family.samples:
            out[sample.name].append((sample.labels, sample.value))
    return out


def _hit_ratio(events: list[Sample], city: str | None) -> float | None:
    """hits / (hits + misses), over every tier; per city when the metric has a city label."""
    hits = misses = 0.0
    for labels, value in events:
        if city is not None and labels.get("city") != city:
            continue
        if labels.get("event") == "hit":
            hits += value
        elif labels.get("event") == "miss":
            misses += value
    if hits + misses == 0:
        return None
    return round(hits / (hits + misses), 3)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
