"""``caap check`` against istSOS4 prints, per city, the push-downs the platform accepts; and
the gateway counts a rejected push-down in ``caap_push_downs_rejected_total``."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.registry import AdapterRegistry
from gateway.cli.check import run_check
from gateway.ops.metrics import Metrics
from gateway.process.runtime import push_down_hook
from tests.conformance import truth
from tests.support.federation_files import write_federation
from tests.support.istsos4_session import IstSOS4World
from tests.support.istsos4_world import CITY


async def test_check_prints_the_accepted_push_downs(istsos4: IstSOS4World, tmp_path: Path) -> None:
    _, options = truth.demo_options("sensorthings", istsos4.root)
    path = write_federation(
        tmp_path / "federation.yaml",
        {CITY: istsos4.root},
        adapter_options={"kind": "sensorthings", **options},
    )
    out = io.StringIO()
    status = await run_check(path, AdapterRegistry.from_entry_points(), out=out)
    report = out.getvalue()
    assert status == 0, report
    rows = [line.split() for line in report.splitlines() if "(push-downs)" in line]
    # istSOS4 answers 404 to a navigation path ending in result (it takes its own
    # result_number, no standard name): the where push-down is dropped, filtered locally
    accepted = [CITY, "(push-downs)", "accepted:", "time,", "geo;"]
    assert rows == [[*accepted, "rejected", "(filtered", "locally):", "where"]], report


def test_the_gateway_counts_a_rejected_push_down() -> None:
    metrics = Metrics()
    hook = push_down_hook(metrics)["on_push_down_rejected"]
    hook(CITY, "geo")
    hook(CITY, "geo")
    value = metrics.registry.get_sample_value(
        "caap_push_downs_rejected_total", {"city": CITY, "push_down": "geo"}
    )
    assert value == 2
    assert push_down_hook(None) == {}
