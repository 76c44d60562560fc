"""Fixtures shared by every test directory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.sim import Sim


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    """The 18 simulated platforms, started once per test session."""
    from tests.support.sim import running_sim

    frozen = time.time()  # one time bucket for the whole session: pages stay consistent
    with running_sim(seed=2026, entities_per_type=12, clock=lambda: frozen) as s:
        yield s
