"""``Platform``: a running platform and the ground truth of what it holds.

The truth is written in the common model (``SourceEntity``): ids, WGS84 locations,
UTC observation times, attributes named and in the units of the Smart Data
Models. The conformance suite compares what an adapter makes of the platform's
answers with it, and derives the expected answer to each filter from it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from adapters.contract import GeoPoint, SourceEntity, SourceQuery
from adapters.geo import distance_m, is_near, is_within
from adapters.sdk.conditions import all_hold


@dataclass(frozen=True)
class Platform:
    """Where the platform listens, and every entity it holds, by entity type.

    ``abs_tol`` / ``rel_tol``: how close a number must be to the truth (units
    converted by the adapter may differ in the last digits). ``location_tol_m``:
    how far a location may lie from the truth (a representative point of a line).
    """

    url: str
    entities: Mapping[str, Sequence[SourceEntity]]
    abs_tol: float = 1e-6
    rel_tol: float = 1e-9
    location_tol_m: float = 1.0
    time_tol_s: float = 0.001
    notes: Mapping[str, Any] = field(default_factory=dict)
    push: Callable[[], Awaitable[object]] | None = None
    """Make the platform push its current values on its push channels now (the streaming
    check, for an adapter implementing ``adapters.streaming.Streaming``); None: skipped."""
    upstream_subscriptions: Callable[[], Awaitable[int]] | None = None
    """How many subscriptions the platform holds now (checked to be 0 after a stream
    closes); None: not counted."""

    @property
    def types(self) -> tuple[str, ...]:
        """Entity types with at least one entity."""
        return tuple(t for t, es in self.entities.items() if es)

    def expected(self, query: SourceQuery) -> list[SourceEntity]:
        """The entities of the truth that ``query``'s filters keep (limit and offset aside)."""
        return [e for e in self.entities.get(query.entity_type, ()) if keeps(query, e)]


def keeps(query: SourceQuery, entity: SourceEntity) -> bool:
    """True when ``entity`` passes ``query``'s near, within, time and ``where`` filters."""
    where = entity.location
    if query.near is not None and (where is None or not is_near(where, query.near)):
        return False
    if query.within is not None and (
        entity.location is None or not is_within(entity.location, query.within)
    ):
        return False
    at = entity.observed_at
    if query.observed_after is not None and (at is None or at < query.observed_after):
        return False
    if query.observed_before is not None and (at is None or at >= query.observed_before):
        return False
    return all_hold(query.where, entity.attributes)


def same_value(got: object, want: object, abs_tol: float, rel_tol: float) -> bool:
    """JSON values equal, numbers within tolerance (a bool is not a number)."""
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | float) and isinstance(got, int | float):
        return math.isclose(got, want, abs_tol=abs_tol, rel_tol=rel_tol)
    if isinstance(want, Mapping) and isinstance(got, Mapping):
        return set(got) == set(want) and all(
            same_value(got[k], want[k], abs_tol, rel_tol) for k in want
        )
    if isinstance(want, list | tuple) and isinstance(got, list | tuple):
        return len(got) == len(want) and all(
            same_value(g, w, abs_tol, rel_tol) for g, w in zip(got, want, strict=True)
        )
    return type(got) is type(want) and got == want


def differences(got: SourceEntity, want: SourceEntity, platform: Platform) -> list[str]:
    """What differs between an adapter's entity and the truth, in words (empty: nothing)."""
    problems: list[str] = []
    if got.type != want.type:
        problems.append(f"type {got.type!r}, expected {want.type!r}")
    problems += _location(got.location, want.location, platform.location_tol_m)
    if want.observed_at is not None:
        at = got.observed_at
        if at is None:
            problems.append("observed_at is None")
        elif at.utcoffset() != timedelta(0):
            problems.append(f"observed_at {at.isoformat()} is not timezone-aware UTC")
        elif abs((at - want.observed_at).total_seconds()) > platform.time_tol_s:
            problems.append(f"observed_at {at.isoformat()}, expected {want.observed_at}")
    forbidden = {"id", "type", "location", "@context"} & set(got.attributes)
    if forbidden:
        problems.append(f"attributes hold {sorted(forbidden)}, which are entity members")
    missing = sorted(set(want.attributes) - set(got.attributes))
    extra = sorted(set(got.attributes) - set(want.attributes))
    if missing:
        problems.append(f"attributes missing: {missing}")
    if extra:
        problems.append(f"attributes not in the truth: {extra}")
    for name in sorted(set(want.attributes) & set(got.attributes)):
        g, w = got.attributes[name], want.attributes[name]
        if not same_value(g, w, platform.abs_tol, platform.rel_tol):
            problems.append(f"{name} = {g!r} ({type(g).__name__}), expected {w!r}")
    return problems


def _location(got: GeoPoint | None, want: GeoPoint | None, tolerance_m: float) -> list[str]:
    if want is None:
        return []
    if got is None:
        return ["location is None"]
    if not isinstance(got, GeoPoint):
        return [f"location is a {type(got).__name__}, not a GeoPoint"]
    off = distance_m(got, want)
    if off > tolerance_m:
        return [f"location ({got.lat}, {got.lon}) is {off:.1f} m from the truth"]
    return []
