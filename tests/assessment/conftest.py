"""One simulated federation with the demo's spread, assessed once for the module's tests.

All 18 cities run with citysim's demo shortfalls; besides, Göteborg answers slowly
(latency), Kalmar answers 503 to everything (availability) and Umeå shares its water
consumption with the public in the federation file (policy).
"""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.registry import AdapterRegistry
from citysim.cluster import SimSettings, SimThread
from citysim.shortfalls import DEMO
from gateway.assessment.command import run_assess
from gateway.assessment.profile import load_profile
from tests.support.federation_files import municipalities
from tests.support.sim import Sim

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "federation.yaml"
SLOW_CITY, SLOW_S = "goteborg", 1.2
DOWN_CITY = "kalmar"
OPEN_CITY = "umea"
_PORT = re.compile(r"http://\$\{CAAP_SIM_HOST:-127\.0\.0\.1\}:(91\d\d)")


def demo_federation(
    path: Path, urls: dict[str, str], public_personal: tuple[str, ...] = ()
) -> Path:
    """The demo's federation.yaml pointed at ``urls``; ``public_personal`` cities share
    WaterConsumptionObserved with the public."""
    order = [m["id"] for m in municipalities()]
    text = _PORT.sub(lambda m: urls[order[int(m.group(1)) - 9101]], DEMO_FILE.read_text("utf-8"))
    document: dict[str, Any] = yaml.safe_load(text)
    # Generous: the test machine runs other suites beside these 18 platforms.
    document["gateway"] = {**document.get("gateway", {}), "timeout_s": 20, "deadline_s": 40}
    for city_id, city in document["cities"].items():
        city["datasets"] = {k: dict(v) for k, v in city["datasets"].items()}
        if city_id in public_personal:
            city["datasets"]["WaterConsumptionObserved"] = {"access": "public"}
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="package")
def spread_sim() -> Iterator[Sim]:
    """The 18 cities with the demo's shortfalls, one slow city and one answering 503."""
    frozen = time.time()
    settings = SimSettings(
        seed=2026,
        entities_per_type=12,
        clock=lambda: frozen,
        shortfalls=DEMO,
        city_latency_s={SLOW_CITY: SLOW_S},
    )
    with SimThread(settings) as thread:
        sim = Sim(thread)
        sim.set_fault(DOWN_CITY, {"mode": "error", "status": 503})
        yield sim


@pytest.fixture(scope="package")
def spread_federation(spread_sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's federation file for ``spread_sim``."""
    path = tmp_path_factory.mktemp("assessment") / "federation.yaml"
    return demo_federation(path, dict(spread_sim.urls), public_personal=(OPEN_CITY,))


@pytest.fixture(scope="package")
def assessed(spread_federation: Path) -> tuple[int, dict[str, Any]]:
    """``caap assess --format json`` over the spread: (exit status, report)."""
    out, err = io.StringIO(), io.StringIO()
    profile = load_profile().with_parameters(p95_latency_max_ms=SLOW_S * 1000 * 0.8)
    status = asyncio.run(
        run_assess(
            spread_federation,
            AdapterRegistry.from_entry_points(),
            fmt="json",
            out=out,
            err=err,
            profile=profile,
        )
    )
    assert err.getvalue() == ""
    import json

    report: dict[str, Any] = json.loads(out.getvalue())
    return status, report
