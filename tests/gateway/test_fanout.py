"""Concurrent fan-out: per-city timeouts, one deadline, errors mapped to coverage."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import ClassVar

import pytest

from adapters.contract import Capabilities, SourceQuery, SourceResult
from adapters.errors import UpstreamError, UpstreamProtocolError, UpstreamUnavailable
from gateway.errors import ErrorCode
from gateway.query.coverage import CoverageStatus
from gateway.query.fanout import direct, fan_out
from gateway.query.planner import CityStep


class ScriptedAdapter:
    """An in-process adapter that waits on an event or raises, to exercise the fan-out alone."""

    kind: ClassVar[str] = "scripted"

    def __init__(self, outcome: BaseException | None = None, gate: asyncio.Event | None = None):
        self.outcome = outcome
        self.gate = gate
        self.calls = 0

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.outcome is not None:
            raise self.outcome
        return SourceResult(entities=[])

    async def aclose(self) -> None:
        return None


Q = SourceQuery(entity_type="WeatherObserved")


async def test_each_failure_maps_to_its_status_and_the_others_succeed() -> None:
    adapters = {
        "ok": ScriptedAdapter(),
        "down": ScriptedAdapter(UpstreamUnavailable("connection refused")),
        "garbage": ScriptedAdapter(UpstreamProtocolError("not JSON")),
        "bug": ScriptedAdapter(ZeroDivisionError("oops")),
        "hang": ScriptedAdapter(gate=asyncio.Event()),
    }
    steps = [CityStep(c, Q) for c in adapters]
    outcomes = await fan_out(steps, direct(adapters), lambda c: 0.2, time.monotonic() + 5)
    by_city = {o.city_id: o.coverage for o in outcomes}
    assert by_city["ok"].status is CoverageStatus.OK
    assert by_city["down"].status is CoverageStatus.UNAVAILABLE
    assert by_city["down"].code is ErrorCode.UPSTREAM_UNAVAILABLE
    assert by_city["garbage"].status is CoverageStatus.FAILED
    assert by_city["garbage"].message == "the platform's answer could not be read"
    assert by_city["bug"].status is CoverageStatus.FAILED
    assert "oops" not in (by_city["bug"].message or "")
    assert by_city["hang"].status is CoverageStatus.TIMEOUT
    assert by_city["hang"].code is ErrorCode.UPSTREAM_TIMEOUT
    assert [o.city_id for o in outcomes] == list(adapters)


async def test_deadline_caps_every_city_and_no_call_starts_after_it() -> None:
    hanging = ScriptedAdapter(gate=asyncio.Event())
    late = ScriptedAdapter()
    started = time.monotonic()
    forever = 1e9  # the city's own timeout never fires: only the deadline can end the wait
    outcomes = await fan_out(
        [CityStep("hang", Q)], direct({"hang": hanging}), lambda c: forever, started + 0.2
    )
    assert outcomes[0].coverage.status is CoverageStatus.TIMEOUT
    past = await fan_out([CityStep("late", Q)], direct({"late": late}), lambda c: 30.0, started - 1)
    assert past[0].coverage.status is CoverageStatus.TIMEOUT
    assert late.calls == 0


async def test_refused_step_makes_no_call() -> None:
    from gateway.query.coverage import Coverage

    adapter = ScriptedAdapter()
    refusal = Coverage("x", CoverageStatus.DENIED, message="no")
    outcomes = await fan_out(
        [CityStep("x", None, refusal)], direct({"x": adapter}), lambda c: 1.0, time.monotonic() + 1
    )
    assert outcomes[0].coverage is refusal
    assert adapter.calls == 0


@pytest.mark.parametrize("count", [18])
async def test_cities_are_asked_concurrently(count: int) -> None:
    gate = asyncio.Event()
    adapters = {f"c{i}": ScriptedAdapter(gate=gate) for i in range(count)}
    task = asyncio.create_task(
        fan_out(
            [CityStep(c, Q) for c in adapters],
            direct(adapters),
            lambda c: 5.0,
            time.monotonic() + 5,
        )
    )
    for _ in range(100):  # let every city's call start; none can finish before the gate opens
        if sum(a.calls for a in adapters.values()) == count:
            break
        await asyncio.sleep(0)
    assert sum(a.calls for a in adapters.values()) == count
    gate.set()
    outcomes = await task
    assert all(o.coverage.status is CoverageStatus.OK for o in outcomes)


async def test_l5_a_platform_s_words_reach_the_log_not_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Finding L5: error messages passed platform data and internal host:port to callers."""
    leaky = {
        "down": UpstreamUnavailable("cannot connect to 10.0.4.7:9108", status=None),
        "refused": UpstreamError(
            "HTTP 500: urn:ngsi-ld:WaterMeter:secret-0042 is locked", status=500
        ),
        "garbage": UpstreamProtocolError(
            "entity #3 (urn:ngsi-ld:WaterMeter:secret-0042) has no type"
        ),
    }
    adapters = {city: ScriptedAdapter(error) for city, error in leaky.items()}
    with caplog.at_level(logging.INFO, logger="caap.fanout"):
        outcomes = await fan_out(
            [CityStep(c, Q) for c in adapters], direct(adapters), lambda c: 1, time.monotonic() + 5
        )
    messages = {o.city_id: o.coverage.message for o in outcomes}
    assert messages == {
        "down": "the platform is unavailable",
        "refused": "the platform answered with an error (HTTP 500)",
        "garbage": "the platform's answer could not be read",
    }
    assert "10.0.4.7:9108" in caplog.text  # the operator still sees what happened
    assert "secret-0042" in caplog.text
