"""What a live stream carries: an entity that changed, or a change in a city's stream."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapters.contract import SourceEntity
from gateway.query.coverage import CoverageStatus


class Via(StrEnum):
    """How the gateway learned of a change."""

    PUSH = "PUSH"
    POLL = "POLL"


class StreamState(StrEnum):
    """What happened to a city's stream."""

    DOWN = "DOWN"
    """Neither push nor polling reaches the city now; the gateway keeps trying."""
    BACK = "BACK"
    """The city answers again (by push or polling, as ``via`` says)."""
    POLLING = "POLLING"
    """The push channel failed: the city is polled until push works again."""
    REFUSED = "REFUSED"
    """The city's policy does not let this caller see the type: no stream (status DENIED)."""


@dataclass(frozen=True, slots=True)
class EntityChange:
    """An entity as the city reported it, when the gateway received it (Unix seconds)."""

    city_id: str
    entity: SourceEntity
    received_at: float
    via: Via


@dataclass(frozen=True, slots=True)
class StreamChange:
    """A city's stream changed state; ``status`` in the terms of a query's coverage."""

    city_id: str
    state: StreamState
    status: CoverageStatus
    at: float
    message: str | None = None
    via: Via | None = None


Event = EntityChange | StreamChange
