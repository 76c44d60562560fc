"""Fixtures for citysim tests: a small SimCluster on ephemeral loopback ports, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import ManualClock, Ngsi


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def cluster(clock: ManualClock) -> AsyncIterator[SimCluster]:
    """Malmö and Lund, 12 entities per type, seed 7."""
    settings = SimSettings(seed=7, cities=("malmo", "lund"), clock=clock)
    async with SimCluster(settings) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        yield client


@pytest.fixture
def ngsi(cluster: SimCluster, session: aiohttp.ClientSession) -> Ngsi:
    return Ngsi(cluster, session)
