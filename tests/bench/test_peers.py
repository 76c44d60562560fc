"""The peer rows' own logic: what both gateways are asked, the Mesh config, the stand-in
platforms (over real HTTP), the results section. Hive Gateway itself runs only in the bench."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from bench import client
from bench.peers.hive import mesh_config
from bench.peers.platforms import make_entities, render
from bench.peers.run import (
    CONNECTIONS,
    QUICK,
    Measured,
    PeerProblem,
    PeerResults,
    PeerRow,
    Platforms,
    Profiled,
    start_platforms,
)
from bench.peers.section import BEGIN, END, cost_model, extract, section, splice
from bench.peers.variants import FIRST, asks, caap_query, hive_query
from bench.processes import ProcessGroup
from bench.queries import filled
from bench.wrk import TIME_SLOT, lua_script

CITIES = ("malmo", "lund", "umea")


def body(spec_body: str | None) -> dict[str, object]:
    assert spec_body is not None
    decoded: dict[str, object] = orjson.loads(spec_body)
    return decoded


def test_each_variant_differs_where_it_says() -> None:
    identical = body(caap_query(CITIES, "identical").body)
    assert TIME_SLOT not in str(identical)
    assert "variables" not in identical

    variable = caap_query(CITIES, "variable")
    assert variable.varies
    decoded = body(variable.body)
    assert decoded["variables"] == {"t": TIME_SLOT}
    assert TIME_SLOT not in str(decoded["query"])
    assert "observedAfter: $t" in str(decoded["query"])

    document = body(caap_query(CITIES, "document").body)
    assert f'observedAfter: "{TIME_SLOT}"' in str(document["query"])
    assert "variables" not in document


def test_both_gateways_get_one_root_per_city() -> None:
    caap = str(body(caap_query(CITIES, "variable").body)["query"])
    hive = body(hive_query(CITIES, "variable").body)
    for city in CITIES:
        assert f'{city}: entities(type: "WeatherObserved", first: {FIRST}' in caap
        assert f'filter: {{cities: ["{city}"]' in caap
        assert f"{city}: {city}_queryEntities(" in str(hive["query"])
    assert hive["variables"] == {"q": f"dateObserved>={TIME_SLOT}"}
    one_root = str(body(caap_query(CITIES, "variable", aliased=False).body)["query"])
    assert one_root.count("entities(") == 1
    assert f"first: {FIRST * len(CITIES)}" in one_root
    single = str(body(caap_query(("malmo",), "document").body)["query"])
    assert "malmo: entities" not in single  # one city: no alias, the plain root field


def test_every_variant_and_scenario_is_asked() -> None:
    found = {(a.variant, a.scenario, len(a.cities)) for a in asks(CITIES, "lund")}
    assert found == {
        (v, s, 1 if s == "one" else 3)
        for v in ("identical", "variable", "document")
        for s in ("one", "all")
    }


def test_mesh_config_has_a_prefixed_subgraph_per_city() -> None:
    text = mesh_config({"malmo": "http://127.0.0.1:1", "lund": "http://127.0.0.1:2"})
    assert text.count("loadOpenAPISubgraph(") == 2
    assert 'endpoint: "http://127.0.0.1:2"' in text
    assert 'createPrefixTransform({ value: "lund_", includeRootOperations: true' in text


def test_a_wrk_run_span_can_be_narrowed() -> None:
    script = lua_script(caap_query(CITIES, "variable"), run_index=2, run_span_s=1_000_000)
    assert f"local base = {946_684_800 + 2 * 1_000_000}" in script
    assert "counter = ((thread_index or 1) - 1) * 100000" in script


ENTITIES = make_entities("malmo", 13.0, 55.6, 30)


def test_the_stand_in_answers_a_time_window_and_paging() -> None:
    status, raw, headers = render(
        ENTITIES,
        {
            "type": "WeatherObserved",
            "q": "dateObserved>=2026-11-25T11:45:00Z",
            "limit": "10",
            "offset": "5",
            "count": "true",
            "options": "keyValues",
        },
    )
    page = orjson.loads(raw)
    assert status == 200
    assert headers["NGSILD-Results-Count"] == "15"  # minutes 1..15 before 12:00
    assert page[0]["id"] == "urn:ngsi-ld:WeatherObserved:malmo-006"
    assert len(page) == 10
    normalized = orjson.loads(render(ENTITIES, {"type": "WeatherObserved", "limit": "1"})[1])
    assert normalized[0]["temperature"]["type"] == "Property"


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"type": "WeatherObserved", "georel": "near"}, 400, "unsupported parameter(s): georel"),
        ({"limit": "1"}, 400, "type is required"),
        ({"type": "WeatherObserved", "limit": "1001"}, 403, "limit must be <= 1000"),
        ({"type": "WeatherObserved", "q": "a|b"}, 501, "only ';'-joined"),
        ({"type": "WeatherObserved", "q": "temperature"}, 400, "invalid q term"),
    ],
)
def test_the_stand_in_refuses_what_it_does_not_serve(
    params: dict[str, str], status: int, detail: str
) -> None:
    got, raw, _ = render(ENTITIES, params)
    assert got == status
    assert orjson.loads(raw)["detail"].startswith(detail)


@pytest.fixture(scope="module")
def platforms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platforms]:
    with ProcessGroup(tmp_path_factory.mktemp("peers")) as group:
        yield start_platforms(group, [("malmo", "55.6", "13.0"), ("lund", "55.7", "13.2")])


def test_the_stand_in_serves_over_http_and_counts(platforms: Platforms) -> None:
    assert set(platforms.urls) == {"malmo", "lund"}
    before = platforms.requests()
    query = (
        "type=WeatherObserved&limit=20&options=keyValues&q=dateObserved%3E%3D2001-01-01T00:00:00Z"
    )
    status, raw = client.request(f"{platforms.urls['lund']}/ngsi-ld/v1/entities?{query}")
    assert status == 200
    assert len(orjson.loads(raw)) == 20
    assert all(e["id"].startswith("urn:ngsi-ld:WeatherObserved:lund-") for e in orjson.loads(raw))
    assert platforms.requests() == before + 1
    platforms.set_latency(0)
    platforms.hold(5)
    try:
        status, raw = client.request(f"{platforms.urls['lund']}/ngsi-ld/v1/entities?{query}")
        assert [e["id"][-3:] for e in orjson.loads(raw)] == ["001", "002", "003", "004", "005"]
    finally:
        platforms.hold(100)
    with pytest.raises(PeerProblem, match="refused 101 entities"):
        platforms.hold(101)


def test_the_cost_model_splits_cpu_per_request(tmp_path: Path) -> None:
    # made-up costs: 10 µs per fetched entity, 5 per returned, 300 per city, 50 per root
    def cpu_us(roots: int, cities: int, asked: int, held: int) -> float:
        return 500 + 50 * roots + 300 * cities + 10 * held * cities + 5 * asked * cities

    runs = [
        Profiled(
            name,
            roots,
            cities,
            asked,
            held,
            measured(100, cpu_us(roots, cities, asked, held) / 1000),
            tmp_path,
        )
        for name, roots, cities, asked, held in [
            ("1-city", 1, 1, 20, 100),
            ("1-city-holding-20", 1, 1, 20, 20),
            ("1-city-100-asked", 1, 1, 100, 100),
            ("1-root-18-cities", 1, 18, 20, 100),
            ("18-aliased-roots", 18, 18, 20, 100),
        ]
    ]
    lines = cost_model(runs)
    assert lines[0].startswith(
        "- per entity fetched from a platform (mapped, filtered, ordered): 10.0 µs"
    )
    assert lines[1].startswith("- per entity returned (merged, converted, serialised): 5.0 µs")
    assert lines[2].startswith("- per city, beyond its entities: 300 µs")
    assert lines[3].startswith("- per root field, beyond its city: 50 µs")
    assert lines[4] == "- per request, the rest: 500 µs"
    assert cost_model(runs[:4]) == []


def measured(per_s: float, cpu_ms: float) -> Measured:
    """Ten seconds at ``per_s``, ``cpu_ms`` per request sent (answered + one per connection)."""
    answered = int(per_s * 10)
    sent = answered + CONNECTIONS
    return Measured(answered, 10.0, cpu_ms / 1000 * sent, 0.05, 0.1, sent)


def test_the_section_marks_targets_and_replaces_itself(tmp_path: Path) -> None:
    results = PeerResults(
        QUICK,
        [
            PeerRow("variable", 0, 1, measured(600, 1.0), measured(300, 2.0)),
            PeerRow("variable", 0, 18, measured(20, 40.0), measured(40, 20.0)),
            PeerRow("identical", 50, 1, measured(900, 1.0), measured(400, 2.0)),
            PeerRow("variable", 0, 18, measured(20, 10.0), measured(40, 20.0), held=20),
        ],
        roots=(measured(20, 40.0), measured(80, 10.0)),
        pinned=True,
    )
    text = section(results, when="2026-12-04 09:00 UTC", commit="abc1234")
    assert text.startswith(BEGIN)
    assert text.endswith(END)
    lines = text.splitlines()
    assert any(
        line.startswith("| each differs (a variable) | 0 ms | 1 x 20 (100) | 600 | 300 | 2.00 |")
        and "| 1.00 ms | 2.00 ms | 0.50 |" in line
        and "pass" in line
        for line in lines
    )
    assert any("| 18 x 20 (100) |" in line and "FAIL" in line for line in lines)
    assert any("| 18 x 20 (20) |" in line and "| 0.50 |" in line for line in lines)
    identical = [line for line in lines if line.startswith("| all identical | 50 ms |")]
    assert identical[0].endswith("| - |")
    assert "**4.00x** (target <= 1.5: FAIL)" in text
    assert "- 18 city(ies), 0 ms, 100 held: caap-gateway spends 40.00 ms of CPU" in text
    assert "- 18 city(ies), 0 ms, 20 held: caap-gateway spends 10.00 ms" in text

    original = "# caap-gateway benchmarks\n\n| row |\n"
    once = splice(original, text)
    assert once.startswith(original.rstrip("\n"))
    assert extract(once) == text
    newer = text.replace("abc1234", "def5678")
    twice = splice(once, newer)
    assert extract(twice) == newer
    assert twice.count(BEGIN) == 1
    assert extract(original) is None
    assert filled(TIME_SLOT) != TIME_SLOT
