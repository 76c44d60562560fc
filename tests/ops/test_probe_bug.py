"""The status page's probe (gateway/ops/status/probe.py): a city's failure is its health; a
gateway bug is not shown as the city being down: logged with its traceback and counted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from adapters.errors import UpstreamUnavailable
from adapters.registry import AdapterRegistry
from gateway.federation import load_federation
from gateway.ops.inflight import InFlight
from gateway.ops.metrics import Metrics
from gateway.ops.operations_metrics import OpsMetrics
from gateway.ops.status.city_health import CityHealth, Health
from gateway.ops.status.probe import Prober
from gateway.process.runtime import Runtime
from gateway.query.upstream import Fetched
from tests.support.federation_files import write_federation
from tests.support.sim import Sim

R = TypeVar("R")


async def _probe_all(sim: Sim, tmp_path: Path, error: Exception) -> tuple[CityHealth, Metrics]:
    """Probe every city of a federation whose upstream raises ``error`` on every call."""
    path = write_federation(tmp_path / "federation.yaml", sim.urls)
    registry = AdapterRegistry.from_entry_points()
    runtime = Runtime.build(load_federation(str(path), registry), registry)
    metrics = Metrics()
    ops = OpsMetrics(metrics.registry)
    health = CityHealth(ops)
    finished = asyncio.Event()
    calls: list[str] = []

    async def call(
        city_id: str, key: str, attempt: Callable[[], Awaitable[R]], deadline: float
    ) -> Fetched[R]:
        calls.append(city_id)
        if len(calls) == len(runtime.federation.cities):
            finished.set()
        raise error

    runtime.upstream.call = call  # type: ignore[method-assign]
    prober = Prober(health, InFlight(ops.in_flight), 0.0, metrics)
    prober.refresh(runtime)
    await finished.wait()
    await prober.aclose()
    await runtime.aclose()
    return health, metrics


async def test_a_citys_failure_is_its_health(sim: Sim, tmp_path: Path) -> None:
    health, metrics = await _probe_all(sim, tmp_path, UpstreamUnavailable("connection refused"))
    assert health.view("malmo").health is Health.DOWN
    assert _bugs(metrics) is None


def _bugs(metrics: Metrics) -> float | None:
    return metrics.registry.get_sample_value(
        "caap_internal_errors_total", {"where": "status_probe"}
    )


async def test_a_gateway_bug_is_not_the_city_being_down(
    sim: Sim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="caap.status"):
        health, metrics = await _probe_all(sim, tmp_path, KeyError("a bug"))
    assert health.view("malmo").health is Health.UNKNOWN
    assert any(r.exc_info is not None for r in caplog.records)
    assert _bugs(metrics) == 18  # one per city probed
