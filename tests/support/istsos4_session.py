"""One istSOS4 per test session, loaded with the world citysim serves for Uppsala.

``running_istsos4`` starts it (``istsos4.IstSOS4``), loads the world
(``istsos4_world.load_world``) and reports how long each step took; where istSOS4
cannot be had it skips the test, saying what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from citysim.municipalities import select
from citysim.world.city import CityWorld
from tests.support.istsos4 import IstSOS4
from tests.support.istsos4_source import Unavailable
from tests.support.istsos4_world import BUCKET_S, CITY, NOW, PER_TYPE, SEED, Loaded, load_world

SETUP: dict[str, float] = {}
"""Seconds each set-up step took in this session (printed in pytest's summary)."""


@dataclass(frozen=True)
class IstSOS4World:
    """A running istSOS4, the world it holds, and what starting it cost."""

    root: str
    world: CityWorld
    loaded: Loaded
    timings: dict[str, float] = field(default_factory=dict)


def the_world() -> CityWorld:
    """Uppsala's world as ``istsos4_world.sim_settings`` has citysim serve it."""
    city = next(city for _, city in select((CITY,)))
    return CityWorld(city, seed=SEED, per_type=PER_TYPE, bucket_s=BUCKET_S, clock=lambda: NOW)


@contextmanager
def running_istsos4() -> Iterator[IstSOS4World]:
    """istSOS4 with the world loaded; stopped on exit."""
    started = time.perf_counter()
    try:
        server = IstSOS4()
        server.start()
    except Unavailable as exc:
        pytest.skip(f"istSOS4 is not available: {exc}")
    try:
        world = the_world()
        loading = time.perf_counter()
        loaded = load_world(server.root, world)
        timings = {
            **server.timings,
            "load": time.perf_counter() - loading,
            "total": time.perf_counter() - started,
        }
        SETUP.update(timings)
        yield IstSOS4World(server.root, world, loaded, timings)
    finally:
        server.stop()


def summary() -> str | None:
    """``istSOS4 set-up: virtualenv 0.0 s, ...`` when istSOS4 ran in this session."""
    if not SETUP:
        return None
    return "istSOS4 set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in SETUP.items())
