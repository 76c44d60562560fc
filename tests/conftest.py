"""Fixtures shared by every test directory."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.istsos4_session import IstSOS4World
    from tests.support.mosquitto import Mosquitto
    from tests.support.sim import Sim


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    """The 18 simulated platforms, started once per test session."""
    from tests.support.sim import running_sim

    frozen = time.time()  # one time bucket for the whole session: pages stay consistent
    with running_sim(seed=2026, entities_per_type=12, clock=lambda: frozen) as s:
        yield s


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[Mosquitto]:
    """A real mosquitto for the MQTT push tests, once per session (anonymous clients)."""
    from tests.support import mosquitto as broker

    if not broker.available():
        pytest.skip("mosquitto is not installed (make system-deps)")
    with broker.Mosquitto() as running:
        broker.SESSION.append(running)
        try:
            yield running
        finally:
            broker.SESSION.clear()


@pytest.fixture(scope="session")
def istsos4() -> Iterator[IstSOS4World]:
    """A real istSOS4 holding the world ``tests.support.istsos4_world`` describes, once per
    session; skipped (saying what is missing) where istSOS4 cannot be had."""
    from tests.support.istsos4_session import running_istsos4

    with running_istsos4() as world:
        yield world


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long istSOS4's set-up took, when it ran."""
    session = sys.modules.get("tests.support.istsos4_session")
    line = session.summary() if session is not None else None
    if line is not None:
        terminalreporter.write_line(line)
