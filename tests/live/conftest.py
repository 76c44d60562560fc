"""A world that changes when the test says so: citysim on a manual clock, for live streams."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.federation_files import write_federation
from tests.support.manual_clock import ManualClock
from tests.support.sim import Sim, running_sim

BUCKET_S = 60.0
"""citysim's time bucket: values change from one to the next."""


@dataclass(frozen=True, slots=True)
class LiveWorld:
    """The simulated cities, their clock, and a federation file pointing at them."""

    sim: Sim
    clock: ManualClock
    federation: Path

    def change(self) -> None:
        """Move the cities' clock to the next time bucket (every entity changes) and have
        every city push now on its push channels (NGSI-LD notifications)."""
        self.clock.advance(BUCKET_S)
        self.sim.tick()

    def subscriptions(self) -> dict[str, int]:
        """NGSI-LD subscriptions active on each city's broker."""
        return {city: self.sim.subscriptions(city) for city in self.sim.urls}

    def subscribed_since(self, before: dict[str, int], cities: Iterable[str]) -> bool:
        """True once each of ``cities`` holds more subscriptions than in ``before``: the
        gateway's push channel is open there, so a change pushed now reaches it."""
        now = self.subscriptions()
        return all(now[city] > before.get(city, 0) for city in cities)


@pytest.fixture(scope="session")
def live_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorld]:
    """18 simulated cities whose values change only when ``change()`` is called."""
    clock = ManualClock(time.time())
    with running_sim(seed=2026, entities_per_type=3, clock=clock, bucket_s=BUCKET_S) as sim:
        path = write_federation(tmp_path_factory.mktemp("live") / "federation.yaml", sim.urls)
        yield LiveWorld(sim, clock, path)
