"""A gateway bug while building a reloaded federation: the old federation keeps serving, and
the bug is not passed off as a bad file: logged with its traceback, counted
(``caap_internal_errors_total{where="reload"}``) and named in the rejection."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import strawberry

from adapters.registry import AdapterRegistry
from gateway.auth import Authenticator
from gateway.federation import Federation, load_federation
from gateway.graphql.execution import Executor
from gateway.graphql.schema.query import Query
from gateway.ops.inflight import InFlight
from gateway.ops.metrics import Metrics
from gateway.ops.operations_metrics import OpsMetrics
from gateway.ops.reload import Reloader, ServedFederation
from gateway.ops.status.city_health import CityHealth
from gateway.process.runtime import Runtime
from gateway.process.state import GatewayState
from tests.support.federation_files import write_federation
from tests.support.sim import Sim


async def test_a_bug_while_building_is_logged_counted_and_refused(
    sim: Sim, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_federation(tmp_path / "federation.yaml", sim.urls)
    registry = AdapterRegistry.from_entry_points()
    metrics = Metrics()
    ops = OpsMetrics(metrics.registry)
    state = GatewayState(executor=Executor(strawberry.Schema(query=Query)._schema), metrics=metrics)
    built: list[ServedFederation] = []

    def build(federation: Federation) -> ServedFederation:
        if built:
            raise AttributeError("'NoneType' object has no attribute 'oops'")  # the bug
        built.append(
            ServedFederation(
                Runtime.build(federation, registry), Authenticator.for_config(None), {}
            )
        )
        return built[0]

    reloader = Reloader(
        state,
        str(path),
        registry,
        build,
        InFlight(ops.in_flight),
        ops,
        CityHealth(ops),
        metrics.internal_errors,
    )
    reloader.install(load_federation(str(path), registry))
    path.write_text(path.read_text("utf-8") + "\n# changed\n", "utf-8")
    with caplog.at_level(logging.ERROR, logger="caap.reload"):
        result = await reloader.reload()
    serving = state.runtime
    await reloader.aclose()
    assert result.outcome == "rejected"
    assert "a gateway bug stopped the reload (AttributeError" in result.problems[0]
    assert serving is built[0].runtime  # the old federation keeps serving
    assert any(r.exc_info is not None for r in caplog.records)  # the traceback is logged
    counted = metrics.registry.get_sample_value("caap_internal_errors_total", {"where": "reload"})
    assert counted == 1
