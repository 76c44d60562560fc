"""``history`` end to end: the NGSI-LD temporal API of the simulated cities through the real
gateway, with the demo federation's policies (anonymous callers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml

from tests.integration.test_datasets import ROOT, demo_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

FEDERATION = ROOT / "federation.yaml"
HISTORY = """
query($type: String!, $from: DateTime!, $to: DateTime, $cities: [ID!], $entityId: ID,
      $attrs: [String!], $lastN: Int, $aggregate: HistoryAggregate, $first: Int) {
  history(type: $type, from: $from, to: $to, cities: $cities, entityId: $entityId,
          attrs: $attrs, lastN: $lastN, aggregate: $aggregate, first: $first) {
    nodes { id type city { id } series { attribute points { at value until } } }
    truncated
    coverage { city { id } status count message }
  }
}
"""


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    path = demo_federation(tmp_path_factory.mktemp("fed") / "federation.yaml", dict(sim.urls))
    with GatewayServer(str(path)) as server:
        yield server


def hour_ago() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat()


def ask(gw: GatewayServer, **variables: Any) -> Any:
    variables.setdefault("type", "WeatherObserved")
    variables.setdefault("from", hour_ago())
    response = httpx.post(
        f"{gw.url}/graphql", json={"query": HISTORY, "variables": variables}, timeout=30
    )
    assert response.status_code == 200
    return response.json()


def test_last_values_from_brokers_and_unsupported_elsewhere(gateway: GatewayServer) -> None:
    cities = ["malmo", "sundsvall", "helsingborg"]
    body = ask(gateway, cities=cities, attrs=["temperature"], lastN=3, first=30)
    assert "errors" not in body
    result = body["data"]["history"]
    coverage = {c["city"]["id"]: c for c in result["coverage"]}
    assert coverage["malmo"]["status"] == "OK"
    assert coverage["sundsvall"]["status"] == "OK"  # the diwise dialect
    assert coverage["helsingborg"]["status"] == "UNSUPPORTED"  # a REST/JSON API keeps none
    assert {n["city"]["id"] for n in result["nodes"]} == {"malmo", "sundsvall"}
    assert len(result["nodes"]) == 24
    for node in result["nodes"]:
        (series,) = node["series"]
        assert series["attribute"] == "temperature"
        stamps = [p["at"] for p in series["points"]]
        assert len(stamps) == 3
        assert stamps == sorted(stamps)
        assert all(isinstance(p["value"], float) for p in series["points"])
    ids = [(n["city"]["id"], n["id"]) for n in result["nodes"]]
    assert ids == sorted(ids, key=lambda i: (["malmo", "sundsvall"].index(i[0]), i[1]))


def test_one_entity_aggregated_per_quarter(gateway: GatewayServer) -> None:
    entity = "urn:ngsi-ld:WeatherObserved:umea-0003"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    body = ask(
        gateway,
        cities=["umea"],
        entityId=entity,
        attrs=["windSpeed", "temperature"],
        **{"from": start.isoformat()},
        aggregate={"method": "MAX", "period": "PT15M"},
    )
    (node,) = body["data"]["history"]["nodes"]
    assert node["id"] == entity
    assert [s["attribute"] for s in node["series"]] == ["temperature", "windSpeed"]
    for series in node["series"]:
        points = series["points"]
        assert 4 <= len(points) <= 5
        first = datetime.fromisoformat(points[0]["at"])
        assert first == start
        assert datetime.fromisoformat(points[0]["until"]) - first == timedelta(minutes=15)


def test_a_scoped_dataset_is_denied_to_anonymous_callers(gateway: GatewayServer) -> None:
    body = ask(gateway, type="WaterConsumptionObserved", cities=["malmo"], lastN=1)
    assert body["data"]["history"]["nodes"] == []
    assert body["data"]["history"]["coverage"][0]["status"] == "DENIED"
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "city": "malmo"}
    assert body["errors"][0]["path"] == ["history"]


def test_first_bounds_the_entities(gateway: GatewayServer) -> None:
    result = ask(gateway, cities=["lund"], lastN=1, first=5)["data"]["history"]
    assert len(result["nodes"]) == 5
    assert result["truncated"] is True


def test_a_failing_city_gives_a_partial_result(gateway: GatewayServer, sim: Sim) -> None:
    with sim.fault("lund", {"mode": "error", "status": 500}):
        body = ask(gateway, cities=["lund", "kalmar"], lastN=1)
    coverage = {c["city"]["id"]: c["status"] for c in body["data"]["history"]["coverage"]}
    assert coverage == {"lund": "FAILED", "kalmar": "OK"}
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_ERROR", "city": "lund"}


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"to": "2020-01-01T00:00:00Z"}, "from: must be earlier than to"),
        ({"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "at most 31 days"),
        ({"lastN": 0}, "lastN: 0 is outside 1..1000"),
        ({"aggregate": {"method": "AVG", "period": "1h"}}, "aggregate.period"),
        ({"attrs": ["wind speed"]}, "attrs: 'wind speed'"),
        ({"cities": ["atlantis"]}, "unknown city id 'atlantis'"),
        ({"type": "Weather Observed"}, "type:"),
    ],
)
def test_bad_input_is_refused(
    gateway: GatewayServer, variables: dict[str, Any], fragment: str
) -> None:
    body = ask(gateway, **{"lastN": 1, **variables})  # a raw history of 100 entities costs more
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in body["errors"][0]["message"]


def test_every_ngsi_ld_city_answers_and_rest_json_is_unsupported(gateway: GatewayServer) -> None:
    kinds = {
        city: section["adapter"]["kind"]
        for city, section in yaml.safe_load(FEDERATION.read_text("utf-8"))["cities"].items()
    }
    body = ask(gateway, type="Beach", entityId="urn:ngsi-ld:Beach:none", lastN=1, first=10)
    statuses = {c["city"]["id"]: c["status"] for c in body["data"]["history"]["coverage"]}
    assert len(statuses) == 18
    for city, kind in kinds.items():
        if kind == "ngsi-ld":
            assert statuses[city] == "OK", city
        elif kind == "rest-json":
            assert statuses[city] == "UNSUPPORTED", city


def test_m3_a_long_raw_history_is_refused_before_any_city_is_asked(
    gateway: GatewayServer,
) -> None:
    """Finding M3: a 12-hour raw history of 100 entities was costed as 100 rows."""
    twelve_hours_ago = (datetime.now(UTC) - timedelta(hours=12)).isoformat()
    body = ask(gateway, **{"from": twelve_hours_ago})
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "cost" in error["message"]
