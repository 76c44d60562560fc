"""Issue 13, finding L11: one memory budget for the cities' answers, named by
``gateway.limits.upstream_bytes``, measured as the resident memory of a real gateway
process while three platforms send huge answers to 24 concurrent queries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from tests.support.federation_files import write_federation
from tests.support.gateway_process import GatewayProcess
from tests.support.resident_memory import MiB, peak_resident_bytes
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

CITIES = ("malmo", "lund", "umea")
NO_CACHE = {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0}
QUERY = """query($d: Float!) {
  entities(type: "WeatherObserved", filter: {near: {lat: 57.0, lon: 15.0, maxDistance: $d}}) {
    nodes { id } coverage { city { id } status message } } }"""


def test_l11_24_concurrent_huge_answers_grow_resident_memory_by_less_than_64_mib(
    sim: Sim, tmp_path: Path
) -> None:
    """Finding L11: no overall budget: 24 concurrent queries to 3 cities took the gateway
    from 577 to 2,213 MiB (the 32 MiB cap per answer times the calls in flight)."""
    gateway = unthrottled(
        cache=NO_CACHE, resilience={"retries": 0}, limits={"upstream_bytes": "16 MiB"}
    )
    urls = {c: sim.urls[c] for c in CITIES}
    path = write_federation(tmp_path / "federation.yaml", urls, gateway=gateway)
    with ExitStack() as faults, GatewayProcess(path, tmp_path / "gateway.log") as process:
        for city in CITIES:
            faults.enter_context(sim.fault(city, {"mode": "huge", "size_mb": 64}))
        assert process.proc is not None
        before = peak_resident_bytes(process.proc.pid)

        def ask(n: int) -> dict[str, Any]:
            variables = {"d": 100_000.0 + n}  # 24 different questions: none coalesced
            response = httpx.post(
                f"{process.url}/graphql", json={"query": QUERY, "variables": variables}, timeout=60
            )
            assert response.status_code == 200, response.text[:300]
            answer: dict[str, Any] = response.json()
            return answer

        with ThreadPoolExecutor(24) as pool:
            answers = list(pool.map(ask, range(24)))
        grown = peak_resident_bytes(process.proc.pid) - before
    coverage = [c for a in answers for c in a["data"]["entities"]["coverage"]]
    assert grown < 64 * MiB, f"peak resident memory grew {grown / MiB:.0f} MiB"
    assert len(coverage) == 24 * len(CITIES)
    assert {c["status"] for c in coverage} == {"FAILED"}
    for city in coverage:  # each answer ran into the budget; no city's breaker counted it
        assert "memory budget for upstream answers" in city["message"]
        assert "16 MiB, gateway.limits.upstream_bytes" in city["message"]
