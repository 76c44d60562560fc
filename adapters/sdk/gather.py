"""One event per entity per change, from platforms that push an entity's values one by one.

A SensorThings server publishes one MQTT message per Observation, and a Lynx
installation one per function: a weather station's new reading arrives as a dozen
messages, one per quantity. Emitting the entity on each of them would show a dozen
half-changed entities that the platform's own HTTP answers never show.
``ChangeGatherer`` holds an entity's change from its first message until every part
of the entity (each mapped Datastream, each function) has reported, or ``wait_s`` has
passed since that first message (a part that never reports, e.g. a sensor that
skipped this reading, delays the event by at most that much). ``gathered`` runs a
stream's messages through it and yields the key of each entity whose change is whole.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
P = TypeVar("P", bound=Hashable)
M = TypeVar("M")

WAIT_S = 1.0
"""How long an entity's change is held for its remaining parts."""


@dataclass(slots=True)
class _Gathering(Generic[P]):
    deadline: float
    reported: set[P] = field(default_factory=set)


class ChangeGatherer(Generic[K, P]):
    """Open changes by entity key; see the module's docstring."""

    def __init__(
        self,
        parts: Mapping[K, frozenset[P]],
        wait_s: float = WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._parts = parts
        self._wait_s = wait_s
        self._clock = clock
        self._open: dict[K, _Gathering[P]] = {}

    def report(self, key: K, part: P) -> bool:
        """``part`` of ``key`` changed; True when the change is whole (and no longer held)."""
        gathering = self._open.get(key)
        if gathering is None:
            gathering = self._open[key] = _Gathering(self._clock() + self._wait_s)
        gathering.reported.add(part)
        if gathering.reported >= self._parts.get(key, frozenset()):
            del self._open[key]
            return True
        return False

    def wait(self) -> float | None:
        """Seconds until the oldest held change is due (None: nothing is held)."""
        if not self._open:
            return None
        return max(0.0, min(g.deadline for g in self._open.values()) - self._clock())

    def due(self) -> list[K]:
        """The keys whose changes waited ``wait_s`` (no longer held)."""
        now = self._clock()
        keys = [key for key, gathering in self._open.items() if gathering.deadline <= now]
        for key in keys:
            del self._open[key]
        return keys


async def gathered(
    messages: AsyncIterable[M],
    apply: Callable[[M], tuple[K, P] | None],
    gatherer: ChangeGatherer[K, P],
) -> AsyncIterator[K]:
    """Each entity key once per whole change; ``apply`` takes a message into the stream's
    state and says which part of which entity it changed (None: nothing changed)."""
    iterator = aiter(messages)
    while True:
        try:
            async with asyncio.timeout(gatherer.wait()):
                message = await anext(iterator)
        except TimeoutError:
            message = None
        except StopAsyncIteration:
            return
        changed = apply(message) if message is not None else None
        if changed is not None and gatherer.report(*changed):
            yield changed[0]
        for key in gatherer.due():
            yield key
