"""The rows of issue 17 beyond 18 cities and one worker, without running them: the peer rows'
targets in the main table, and the generated 290-city federation (read by the real loader)."""

from __future__ import annotations

from pathlib import Path

from adapters.registry import AdapterRegistry
from bench.peer_rows import summary_rows
from bench.peers.run import CONNECTIONS, QUICK, Measured, PeerResults, PeerRow
from bench.rows_scale import NATIONAL_GATEWAY, national_cities, national_federation
from gateway.federation import load_federation


def measured(per_s: float, cpu_ms: float) -> Measured:
    answered = int(per_s * 10)
    sent = answered + CONNECTIONS
    return Measured(answered, 10.0, cpu_ms / 1000 * sent, 0.05, 0.1, sent)


def test_the_variable_peer_rows_become_rows_with_their_targets() -> None:
    results = PeerResults(
        QUICK,
        [
            PeerRow("identical", 0, 1, measured(900, 1.0), measured(400, 2.0)),
            PeerRow("variable", 0, 1, measured(600, 1.0), measured(300, 2.0)),
            PeerRow("variable", 50, 18, measured(20, 40.0), measured(40, 20.0)),
            PeerRow("variable", 0, 18, measured(20, 10.0), measured(40, 20.0), held=20),
        ],
        roots=(measured(20, 40.0), measured(80, 10.0)),
    )
    rows = summary_rows(results)
    assert [r.key for r in rows] == ["P1", "P2", "P3"]
    one, many, roots = rows
    assert one.status == "pass"
    assert one.title.endswith("1 city(ies), 0 ms")
    assert one.measured.startswith("req/s 2.00, CPU 0.50")
    assert many.status == "FAIL"
    assert many.target == "req/s >= 1.5; CPU <= 0.67"
    assert many.notes
    assert "40.00 ms of CPU per request" in many.notes[0]
    assert (roots.status, roots.measured.split()[0]) == ("FAIL", "4.00")


def test_the_national_federation_has_290_distinct_cities_the_loader_accepts(
    tmp_path: Path,
) -> None:
    cities = national_cities(290)
    assert len({c for c, _, _ in cities}) == 290
    assert all(55.0 < float(lat) < 69.5 and 10.5 < float(lon) < 24.5 for _, lat, lon in cities)
    urls = {c: f"http://127.0.0.1:{20000 + n}" for n, (c, _, _) in enumerate(cities)}
    path = national_federation(tmp_path / "federation.yaml", urls, NATIONAL_GATEWAY)
    federation = load_federation(path, AdapterRegistry.from_entry_points(), {})
    assert len(federation.cities) == 290
    assert len({c.kommunkod for c in federation.cities.values()}) == 290
    assert federation.options.limits.cost == 29_000  # the 290-city query costs 14,811
