"""The circuit breaker: opens on a failure ratio over a window, probes once, closes."""

from __future__ import annotations

from gateway.query.resilience.breaker import BreakerSettings, BreakerState, CircuitBreaker
from tests.support.manual_clock import ManualClock

SETTINGS = BreakerSettings(failure_ratio=0.5, min_calls=4, window_s=10.0, open_s=5.0)


def breaker(clock: ManualClock, changes: list[BreakerState] | None = None) -> CircuitBreaker:
    return CircuitBreaker(SETTINGS, clock, changes.append if changes is not None else None)


def test_opens_at_the_failure_ratio_once_enough_calls_were_seen() -> None:
    clock = ManualClock()
    b = breaker(clock)
    for ok in (False, False, False):
        assert b.allow()
        b.record(ok)
    assert b.state is BreakerState.CLOSED  # 3 calls < min_calls, however bad
    b.record(True)
    assert b.state is BreakerState.CLOSED, "a success never opens it"
    b.record(False)  # 4 failures of 5: 0.8 >= 0.5
    assert b.state is BreakerState.OPEN
    assert not b.allow()
    assert b.retry_in() == 5.0


def test_failures_older_than_the_window_do_not_count() -> None:
    clock = ManualClock()
    b = breaker(clock)
    for _ in range(3):
        b.record(False)
    clock.advance(11)
    for _ in range(3):
        b.record(True)
    b.record(False)  # 1 failure of 4 in the window
    assert b.state is BreakerState.CLOSED


def test_half_open_lets_one_probe_through_and_closes_on_success() -> None:
    clock = ManualClock()
    changes: list[BreakerState] = []
    b = breaker(clock, changes)
    for _ in range(4):
        b.record(False)
    clock.advance(4.9)
    assert not b.allow()
    clock.advance(0.1)
    assert b.state is BreakerState.HALF_OPEN
    assert b.allow()
    assert not b.allow(), "only one probe at a time"
    b.record(True)
    assert b.state is BreakerState.CLOSED
    assert changes == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]
    b.record(False)
    assert b.state is BreakerState.CLOSED, "the window starts afresh after closing"


def test_a_failed_probe_opens_again_for_another_period() -> None:
    clock = ManualClock()
    b = breaker(clock)
    for _ in range(4):
        b.record(False)
    clock.advance(5)
    assert b.allow()
    b.record(False)
    assert b.state is BreakerState.OPEN
    assert b.retry_in() == 5.0


def test_a_cancelled_probe_lets_the_next_one_go() -> None:
    clock = ManualClock()
    b = breaker(clock)
    for _ in range(4):
        b.record(False)
    clock.advance(5)
    assert b.allow()
    b.release()
    assert b.allow()


def test_late_results_while_open_change_nothing() -> None:
    clock = ManualClock()
    b = breaker(clock)
    for _ in range(4):
        b.record(False)
    b.record(True)
    assert b.state is BreakerState.OPEN
