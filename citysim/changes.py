"""The world's changes, handed to each push channel of a city (issue 15).

A city's values are a function of the time bucket (``citysim.world.city``), so they
change when the bucket does. ``ChangeFeed.tick`` looks at the bucket: for each type a
channel watches whose bucket moved since the last tick, every listener gets the
entities of that type as they are now. ``tick(force=True)`` hands them over even
when nothing moved (the control API's ``POST /cities/{id}/tick``), so a test can
make a push happen without waiting. The cluster ticks every city every
``SimSettings.tick_s`` seconds.

Faults reach the push channels too: while the city is ``down`` (or ``hang``) nothing
is pushed (and the types stay due, so the first tick after healing pushes them);
while it sends ``garbage`` the listeners send bytes that are not the protocol's;
while it is ``slow`` every push waits the fault's ``delay_s`` first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from citysim.faults import Fault
from citysim.faults.modes import Slow
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld, Entity

log = logging.getLogger("citysim.changes")

Listener = Callable[[str, Sequence[Entity], bool], Awaitable[int]]
"""Called with (type name, the type's entities now, garbage?); returns how many messages
it sent."""
SILENT_MODES = frozenset({"down", "hang"})
"""Fault modes under which a city pushes nothing."""


class ChangeFeed:
    """One city's push channels and the bucket each type was last pushed in."""

    def __init__(self, world: CityWorld, fault: Callable[[], Fault | None]) -> None:
        self.world = world
        self._fault = fault
        self._listeners: list[tuple[Callable[[], frozenset[str]], Listener]] = []
        self._pushed_bucket: dict[str, int] = {}

    def listen(self, watched: Callable[[], frozenset[str]], listener: Listener) -> None:
        """Call ``listener`` on every tick that changes one of the types ``watched()`` names."""
        self._listeners.append((watched, listener))

    async def tick(self, *, force: bool = False) -> int:
        """Push what changed (everything watched with ``force``); how many messages were sent."""
        fault = self._fault()
        mode = fault.mode if fault is not None else None
        if mode in SILENT_MODES:
            return 0
        if isinstance(fault, Slow):
            await asyncio.sleep(fault.delay_s)
        garbage = mode == "garbage"
        bucket = self.world.bucket()
        sent = 0
        for watched, listener in self._listeners:
            for type_name in sorted(watched()):
                model = BY_TYPE.get(type_name)
                if model is None:
                    continue
                if not force and self._pushed_bucket.get(type_name) == bucket:
                    continue
                try:
                    entities = self.world.entities(model, bucket)
                    sent += await listener(type_name, entities, garbage)
                except Exception:  # one channel's failure must not stop the others
                    log.exception("pushing %s changes failed", type_name)
        for watched, _ in self._listeners:
            for type_name in watched():
                self._pushed_bucket[type_name] = bucket
        return sent
