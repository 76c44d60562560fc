"""Cities decide who sees what, end to end: a real authorization server issues tokens over
HTTP, the real gateway checks them and enforces each city's policy against the simulated
platforms.

The acceptance tests run on the 18 cities of the session's ``sim``; the policy rules run on
three cities whose clock stands still (values and observation times do not change between
two queries, so what one caller sees can be compared with what another sees).
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from joserfc.jwk import RSAKey

from gateway.policy.grid import METRES_PER_DEGREE
from tests.support.auth_server import AUDIENCE, GATEWAY_CLIENT, AuthServer, Client
from tests.support.federation_files import demo_datasets, municipalities, write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post, upstream_requests
from tests.support.sim import Sim, running_sim
from tests.support.still_clock import BUCKET_S, still_clock

UTILITY = "caap:utility:read"
CLIENTS = [
    Client("utility-app", "utility-secret", frozenset({UTILITY})),
    Client("traffic-app", "traffic-secret", frozenset({"caap:traffic:read"})),
    Client("trafikverket", "tv-secret", frozenset()),
    Client("ops-app", "ops-secret", frozenset({"caap:devices:read", "caap:ops"})),
    Client("air-app", "air-secret", frozenset({"caap:air:read"})),
    Client("meter-app", "meter-secret", frozenset({UTILITY}), opaque=True),
]
ALL_CITIES = [m["id"] for m in municipalities()]
RULE_CITIES = ("malmo", "lund", "umea")

ENTITIES = """
query($type: String!, $filter: EntityFilter) {
  entities(type: $type, filter: $filter, first: 1000) {
    nodes { id city { id } observedAt location { lat lon } attributes }
    totalCount
    coverage { city { id } status count message }
  }
}
"""
STATISTICS = """
query($type: String!, $attribute: String!, $filter: EntityFilter, $groupBy: StatisticsGroupBy) {
  statistics(type: $type, attribute: $attribute, filter: $filter, groupBy: $groupBy) {
    groups { city { id } count min max mean }
    coverage { city { id } status count message }
  }
}
"""


def auth_section(idp: AuthServer) -> dict[str, Any]:
    return {
        "issuer": idp.issuer,
        "audience": AUDIENCE,
        "introspection": {
            "endpoint": idp.introspection_endpoint,
            "client_id": GATEWAY_CLIENT[0],
            "client_secret": GATEWAY_CLIENT[1],
        },
    }


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    with AuthServer(CLIENTS) as server:
        yield server


@pytest.fixture(scope="module")
def gateway(
    sim: Sim, idp: AuthServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    """All 18 cities with the demo's datasets, tokens from ``idp``."""
    folder = tmp_path_factory.mktemp("acceptance")
    path = write_federation(
        folder / "federation.yaml",
        sim.urls,
        gateway={"timeout_s": 2.0, "deadline_s": 5.0},
        auth=auth_section(idp),
        audit={"file": str(folder / "audit.jsonl")},
    )
    with GatewayServer(str(path)) as server:
        yield server


def entities(gw: GatewayServer, type_: str, token: str | None = None, **filter: Any) -> Any:
    response = post(gw.url, ENTITIES, token, type=type_, filter=filter or None)
    assert response.status_code == 200, response.text
    return response.json()


# --- acceptance: tokens -------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


BAD_TOKENS: dict[str, Any] = {
    "expired": lambda s: s.forge(
        s.claims_for("utility-app", exp=_now() - 120, nbf=None, iat=_now() - 900)
    ),
    "not yet valid": lambda s: s.forge(s.claims_for("utility-app", nbf=_now() + 900)),
    "wrong issuer": lambda s: s.forge(s.claims_for("utility-app", iss="https://idp.evil.example")),
    "wrong audience": lambda s: s.forge(s.claims_for("utility-app", aud="urn:someone:else")),
    "alg none": lambda s: s.forge_unsigned(s.claims_for("utility-app")),
    "HS256 signed with the public key": lambda s: s.forge_hmac_with_public_key(
        s.claims_for("utility-app")
    ),
    "unknown kid": lambda s: s.forge(
        s.claims_for("utility-app"), key=RSAKey.generate_key(2048, private=True)
    ),
    "malformed": lambda s: "eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24",
    "tampered payload": lambda s: _tamper(s.token("traffic-app")),
    "wrong typ": lambda s: s.forge(s.claims_for("utility-app"), header={"typ": "JWT"}),
}


def _tamper(token: str) -> str:
    """Give a traffic token the utility scope, keeping its signature."""
    import base64

    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = UTILITY
    forged = base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_each_bad_token_gets_401_no_data_no_stack_trace(
    gateway: GatewayServer, idp: AuthServer, case: str
) -> None:
    before = upstream_requests(gateway.url)
    token = BAD_TOKENS[case](idp)
    response = post(gateway.url, ENTITIES, token, type="WaterConsumptionObserved")
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="caap-gateway", error="invalid_token"')
    assert "error_description=" in challenge
    body = response.json()
    assert set(body) == {"errors"}
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "Traceback" not in response.text
    assert token not in response.text
    assert upstream_requests(gateway.url) == before


def test_a_token_in_another_scheme_is_a_bad_request(gateway: GatewayServer) -> None:
    response = httpx.post(
        f"{gateway.url}/graphql",
        json={"query": "{ cities { id } }"},
        headers={"Authorization": "Basic dXNlcjpwdw=="},
    )
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


def test_anonymous_callers_get_weather_from_18_cities(gateway: GatewayServer) -> None:
    body = entities(gateway, "WeatherObserved")
    result = body["data"]["entities"]
    assert "errors" not in body
    assert {n["city"]["id"] for n in result["nodes"]} == set(ALL_CITIES)
    assert [c["status"] for c in result["coverage"]] == ["OK"] * 18


def test_anonymous_water_consumption_is_denied_in_18_without_an_upstream_call(
    gateway: GatewayServer, sim: Sim
) -> None:
    before = upstream_requests(gateway.url)
    with sim.fault_all({"mode": "hang"}):  # any request to a city would hang until the timeout
        sim.reset_requests()
        body = entities(gateway, "WaterConsumptionObserved")
        reached = sim.requests_by_city()
    assert upstream_requests(gateway.url) == before  # counted by the gateway
    assert reached == {c: {"total": 0, "by_type": {}} for c in ALL_CITIES}  # and by citysim
    result = body["data"]["entities"]
    assert result["nodes"] == []
    assert result["totalCount"] == 0
    assert [c["status"] for c in result["coverage"]] == ["DENIED"] * 18
    assert all(UTILITY in c["message"] for c in result["coverage"])
    assert sorted(e["extensions"]["city"] for e in body["errors"]) == sorted(ALL_CITIES)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}


def test_a_token_with_the_utility_scope_reads_water_consumption_from_18_cities(
    gateway: GatewayServer, idp: AuthServer, sim: Sim
) -> None:
    sim.reset_requests()
    body = entities(gateway, "WaterConsumptionObserved", idp.token("utility-app", UTILITY))
    reached = sim.requests_by_city()
    assert all(reached[c]["by_type"].get("WaterConsumptionObserved", 0) >= 1 for c in ALL_CITIES)
    result = body["data"]["entities"]
    assert "errors" not in body
    assert [c["status"] for c in result["coverage"]] == ["OK"] * 18
    assert {n["city"]["id"] for n in result["nodes"]} == set(ALL_CITIES)
    assert all("waterConsumption" in n["attributes"] for n in result["nodes"])


def test_a_token_without_the_scope_is_forbidden(gateway: GatewayServer, idp: AuthServer) -> None:
    body = entities(gateway, "WaterConsumptionObserved", idp.token("traffic-app"))
    assert body["data"]["entities"]["nodes"] == []
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


def test_an_opaque_token_is_checked_by_introspection(
    gateway: GatewayServer, idp: AuthServer
) -> None:
    token = idp.token("meter-app")
    assert token.count(".") == 0
    asked = idp.introspection_requests
    for _ in range(3):
        body = entities(gateway, "WaterConsumptionObserved", token, cities=["malmo"])
        assert body["data"]["entities"]["coverage"][0]["status"] == "OK"
    assert idp.introspection_requests == asked + 1  # cached while the token lives
    revoked = idp.token("meter-app")
    idp.revoke(revoked)
    assert post(gateway.url, ENTITIES, revoked, type="WeatherObserved").status_code == 401


def test_the_audit_log_has_one_line_per_decision_and_no_token(
    gateway: GatewayServer, idp: AuthServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    token = idp.token("utility-app", UTILITY)
    entities(gateway, "WaterConsumptionObserved", token, cities=["kalmar", "lund"])
    path = Path(str(gateway.settings.config_path)).with_name("audit.jsonl")
    lines = [orjson.loads(line) for line in path.read_text().splitlines()]
    last = lines[-2:]
    assert [(e["city"], e["decision"], e["client_id"]) for e in last] == [
        ("kalmar", "allow", "utility-app"),
        ("lund", "allow", "utility-app"),
    ]
    assert all(len(e["subject_sha256"]) == 64 for e in last)
    assert token not in path.read_text()
    assert "utility-app" not in {e["subject_sha256"] for e in last}


def test_keys_rotate_without_a_restart(sim: Sim, tmp_path: Path) -> None:
    with AuthServer(CLIENTS) as own:
        path = write_federation(
            tmp_path / "federation.yaml",
            {"malmo": sim.urls["malmo"]},
            auth={"issuer": own.issuer, "audience": AUDIENCE},
        )
        with GatewayServer(str(path)) as gw:
            before = own.jwks_requests
            assert entities(gw, "WaterConsumptionObserved", own.token("utility-app"))["data"]
            assert own.jwks_requests == before + 1
            own.rotate(keep_previous=False)
            body = entities(gw, "WaterConsumptionObserved", own.token("utility-app"))
            assert body["data"]["entities"]["coverage"][0]["status"] == "OK"
            assert own.jwks_requests == before + 2  # exactly one refetch
            own.set_jwks_down(True)
            token = own.token("utility-app")
            body = entities(gw, "WaterConsumptionObserved", token)  # keys cached: still fine
            assert body["data"]["entities"]["coverage"][0]["status"] == "OK"


# --- each policy rule, on three cities with a still clock ---------------------------------

TRAFFIC_CELL_M = 1000.0


FROZEN_AT, YOUNGEST_AGE_S = still_clock()
OLDER_THAN_MIN = round((YOUNGEST_AGE_S + BUCKET_S / 2) / 60.0, 1)
"""A limit in the middle of the observations' ages."""


def rule_datasets(city_id: str) -> dict[str, Any]:
    shared = demo_datasets()
    shared.pop("Beach")  # not listed: denied to everyone
    shared["TrafficFlowObserved"] = {
        "access": [
            {"clients": ["trafikverket"]},
            {
                "scopes": ["caap:traffic:read"],
                "drop": ["address"],
                "coarsen_m": TRAFFIC_CELL_M,
                "where": [{"attribute": "laneId", "op": "in", "value": [1, 2]}],
            },
            {"public": True, "aggregate_only": True, "min_group_size": 5},
        ]
    }
    shared["AirQualityObserved"] = {
        "access": [
            {"clients": ["trafikverket"]},
            {"scopes": ["caap:air:read"], "keep": ["no2", "pm10", "location"]},
            {"public": True, "keep": ["no2"]},
        ]
    }
    shared["WaterQualityObserved"] = {
        "access": [
            {"clients": ["trafikverket"]},
            {"public": True, "older_than_min": OLDER_THAN_MIN},
        ]
    }
    shared["Device"] = {"access": {"scopes": {"all_of": ["caap:devices:read", "caap:ops"]}}}
    return shared


@pytest.fixture(scope="module")
def still_sim() -> Iterator[Sim]:
    with running_sim(
        seed=7, entities_per_type=12, cities=RULE_CITIES, bucket_s=BUCKET_S, clock=lambda: FROZEN_AT
    ) as s:
        yield s


@pytest.fixture(scope="module")
def rules_gateway(
    still_sim: Sim, idp: AuthServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    path = write_federation(
        tmp_path_factory.mktemp("rules") / "federation.yaml",
        still_sim.urls,
        auth=auth_section(idp),
        datasets=rule_datasets,
    )
    with GatewayServer(str(path)) as server:
        yield server


@pytest.fixture(scope="module")
def full_traffic(rules_gateway: GatewayServer, idp: AuthServer) -> dict[str, Any]:
    """Every traffic counter as the client with full access sees it, by id."""
    body = entities(rules_gateway, "TrafficFlowObserved", idp.token("trafikverket"))
    assert "errors" not in body
    return {n["id"]: n for n in body["data"]["entities"]["nodes"]}


def test_an_approved_client_sees_everything(full_traffic: dict[str, Any]) -> None:
    assert len(full_traffic) == 12 * len(RULE_CITIES)
    assert all("address" in n["attributes"] for n in full_traffic.values())
    assert {n["attributes"]["laneId"] for n in full_traffic.values()} == {1, 2, 3}


def test_a_scope_grant_drops_coarsens_and_filters_rows(
    rules_gateway: GatewayServer, idp: AuthServer, full_traffic: dict[str, Any]
) -> None:
    body = entities(rules_gateway, "TrafficFlowObserved", idp.token("traffic-app"))
    nodes = body["data"]["entities"]["nodes"]
    expected = {i for i, n in full_traffic.items() if n["attributes"]["laneId"] in (1, 2)}
    assert {n["id"] for n in nodes} == expected
    assert len(expected) < len(full_traffic)  # some rows were filtered out
    for node in nodes:
        full = full_traffic[node["id"]]
        assert "address" not in node["attributes"]
        assert node["attributes"] == {k: v for k, v in full["attributes"].items() if k != "address"}
        assert _on_grid(node["location"], TRAFFIC_CELL_M)
        assert node["location"] != full["location"]
        assert _metres(node["location"], full["location"]) <= TRAFFIC_CELL_M


def test_a_near_filter_cannot_find_the_true_location(
    rules_gateway: GatewayServer, idp: AuthServer, full_traffic: dict[str, Any]
) -> None:
    token = idp.token("traffic-app")
    node = next(n for n in full_traffic.values() if n["attributes"]["laneId"] == 1)
    true_point = node["location"]
    tight = {"lat": true_point["lat"], "lon": true_point["lon"], "maxDistance": 5}
    found = entities(rules_gateway, "TrafficFlowObserved", token, near=tight)
    assert node["id"] not in {n["id"] for n in found["data"]["entities"]["nodes"]}
    coarse = next(
        n
        for n in entities(rules_gateway, "TrafficFlowObserved", token)["data"]["entities"]["nodes"]
        if n["id"] == node["id"]
    )["location"]
    around = {"lat": coarse["lat"], "lon": coarse["lon"], "maxDistance": 5}
    found = entities(rules_gateway, "TrafficFlowObserved", token, near=around)
    assert node["id"] in {n["id"] for n in found["data"]["entities"]["nodes"]}


def test_aggregate_only_gives_statistics_and_never_rows(
    rules_gateway: GatewayServer, full_traffic: dict[str, Any]
) -> None:
    rows = entities(rules_gateway, "TrafficFlowObserved")
    assert rows["data"]["entities"]["nodes"] == []
    assert {c["status"] for c in rows["data"]["entities"]["coverage"]} == {"DENIED"}
    assert {e["extensions"]["code"] for e in rows["errors"]} == {"FORBIDDEN"}
    assert "only as statistics" in rows["errors"][0]["message"]

    response = post(
        rules_gateway.url,
        STATISTICS,
        type="TrafficFlowObserved",
        attribute="intensity",
        groupBy="CITY",
    )
    body = response.json()
    assert "errors" not in body
    groups = {g["city"]["id"]: g for g in body["data"]["statistics"]["groups"]}
    assert set(groups) == set(RULE_CITIES)
    for city_id, group in groups.items():
        values = [
            n["attributes"]["intensity"]
            for n in full_traffic.values()
            if n["city"]["id"] == city_id
        ]
        assert group["count"] == len(values) == 12
        assert (group["min"], group["max"]) == (None, None)  # Finding M4
        assert group["mean"] == pytest.approx(sum(values) / len(values))


def test_m4_aggregate_only_statistics_give_no_min_or_max(rules_gateway: GatewayServer) -> None:
    """Finding M4: min and max of an aggregate-only grant gave one row's exact value."""
    for group_by in ("CITY", "NONE"):
        body = post(
            rules_gateway.url,
            STATISTICS,
            type="TrafficFlowObserved",
            attribute="intensity",
            groupBy=group_by,
        ).json()
        groups = body["data"]["statistics"]["groups"]
        assert groups
        assert all(g["count"] >= 5 and g["min"] is None and g["max"] is None for g in groups)
        messages = [c["message"] for c in body["data"]["statistics"]["coverage"]]
        assert all("min and max withheld" in m for m in messages)


def test_m4_time_thresholds_a_reading_apart_cannot_be_differenced(
    rules_gateway: GatewayServer, full_traffic: dict[str, Any]
) -> None:
    """Finding M4: two observedAfter thresholds either side of one meter's reading revealed it."""
    hour = 3600

    def seconds(node: dict[str, Any]) -> float:
        return datetime.fromisoformat(node["observedAt"]).timestamp()

    def differenceable(node: dict[str, Any]) -> bool:
        """Its reading alone tells the two thresholds apart, in groups of 5 or more."""
        at = seconds(node)
        same_city = [seconds(n) for n in full_traffic.values() if n["city"] == node["city"]]
        newer = sum(t > at + 1 for t in same_city)
        alone = sum(at - 1 <= t <= at + 1 for t in same_city) == 1
        return alone and newer >= 5 and (at - 1) // hour == (at + 1) // hour

    node = next(n for n in full_traffic.values() if differenceable(n))
    at = seconds(node)

    def statistics_after(seconds: float) -> Any:
        after = datetime.fromtimestamp(seconds, UTC).isoformat()
        body = post(
            rules_gateway.url,
            STATISTICS,
            type="TrafficFlowObserved",
            attribute="intensity",
            groupBy="CITY",
            filter={"cities": [node["city"]["id"]], "observedAfter": after},
        ).json()
        return body["data"]["statistics"]["groups"]

    assert statistics_after(at - 1) == statistics_after(at + 1)


def test_statistics_over_all_cities_are_one_group(
    rules_gateway: GatewayServer, full_traffic: dict[str, Any]
) -> None:
    body = post(
        rules_gateway.url, STATISTICS, type="TrafficFlowObserved", attribute="intensity"
    ).json()
    (group,) = body["data"]["statistics"]["groups"]
    values = [n["attributes"]["intensity"] for n in full_traffic.values()]
    assert group["city"] is None
    assert group["count"] == len(values)
    assert group["mean"] == pytest.approx(sum(values) / len(values))


def test_small_groups_are_withheld(
    rules_gateway: GatewayServer, full_traffic: dict[str, Any]
) -> None:
    one = next(n for n in full_traffic.values() if n["city"]["id"] == "malmo")
    near_one = {"lat": one["location"]["lat"], "lon": one["location"]["lon"], "maxDistance": 1}
    body = post(
        rules_gateway.url,
        STATISTICS,
        type="TrafficFlowObserved",
        attribute="intensity",
        groupBy="CITY",
        filter={"cities": ["malmo"], "near": near_one},
    ).json()
    assert body["data"]["statistics"]["groups"] == []
    (coverage,) = body["data"]["statistics"]["coverage"]
    assert coverage["count"] is None
    assert "fewer than 5 entities" in coverage["message"]


def test_statistics_of_an_attribute_the_caller_may_not_see_are_denied(
    rules_gateway: GatewayServer,
) -> None:
    body = post(rules_gateway.url, STATISTICS, type="AirQualityObserved", attribute="pm10").json()
    assert body["data"]["statistics"]["groups"] == [
        {"city": None, "count": 0, "min": None, "max": None, "mean": None}
    ]
    assert {c["status"] for c in body["data"]["statistics"]["coverage"]} == {"DENIED"}
    assert "does not share the attribute pm10" in body["errors"][0]["message"]


def test_keep_shows_only_the_listed_attributes(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    public = entities(rules_gateway, "AirQualityObserved")["data"]["entities"]["nodes"]
    scoped = entities(rules_gateway, "AirQualityObserved", idp.token("air-app"))
    assert public
    assert all(set(n["attributes"]) == {"no2"} for n in public)
    assert all(n["location"] is None for n in public)
    nodes = scoped["data"]["entities"]["nodes"]
    assert nodes
    assert all(set(n["attributes"]) <= {"no2", "pm10"} for n in nodes)
    assert all(n["location"] is not None for n in nodes)


def test_location_filters_are_denied_when_locations_are_hidden(
    rules_gateway: GatewayServer,
) -> None:
    near = {"lat": 55.6, "lon": 13.0, "maxDistance": 50_000}
    body = entities(rules_gateway, "AirQualityObserved", near=near)
    assert body["data"]["entities"]["nodes"] == []
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert "locations" in body["errors"][0]["message"]


def test_only_data_older_than_the_limit_is_shown(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    full = entities(rules_gateway, "WaterQualityObserved", idp.token("trafikverket"))
    started = time.time()
    delayed = entities(rules_gateway, "WaterQualityObserved")
    finished = time.time()
    shown = {n["id"] for n in delayed["data"]["entities"]["nodes"]}
    limit_s = OLDER_THAN_MIN * 60
    must, may = set(), set()
    for node in full["data"]["entities"]["nodes"]:
        observed = datetime.fromisoformat(node["observedAt"]).timestamp()
        if observed <= started - limit_s:
            must.add(node["id"])
        if observed <= finished - limit_s:
            may.add(node["id"])
    assert must <= shown <= may
    assert shown
    assert len(shown) < len(full["data"]["entities"]["nodes"])


def test_all_of_scopes_need_every_scope(rules_gateway: GatewayServer, idp: AuthServer) -> None:
    both = entities(rules_gateway, "Device", idp.token("ops-app"))
    one = entities(rules_gateway, "Device", idp.token("ops-app", "caap:devices:read"))
    assert {c["status"] for c in both["data"]["entities"]["coverage"]} == {"OK"}
    assert {c["status"] for c in one["data"]["entities"]["coverage"]} == {"DENIED"}
    assert "caap:devices:read and caap:ops" in one["errors"][0]["message"]


def test_a_dataset_that_is_not_listed_is_denied_to_everyone(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    for token in (None, idp.token("trafikverket")):
        body = entities(rules_gateway, "Beach", token)
        assert body["data"]["entities"]["nodes"] == []
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


ACCESS = """
query($type: String, $cities: [ID!]) {
  viewer { anonymous clientId scopes }
  access(type: $type, cities: $cities) {
    city { id } dataset allowed rows reason
    rules { aggregateOnly minGroupSize keptAttributes removedAttributes locationGridMetres
            olderThanMinutes rowFilters }
  }
}
"""


def test_callers_are_told_what_they_may_see_and_why(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    anonymous = post(rules_gateway.url, ACCESS, cities=["malmo"]).json()["data"]
    assert anonymous["viewer"] == {"anonymous": True, "clientId": None, "scopes": []}
    by_dataset = {a["dataset"]: a for a in anonymous["access"]}
    assert set(by_dataset) == set(rule_datasets("malmo"))
    water = by_dataset["WaterConsumptionObserved"]
    assert (water["allowed"], water["rules"]) == (False, None)
    assert UTILITY in water["reason"]
    traffic = by_dataset["TrafficFlowObserved"]
    assert (traffic["allowed"], traffic["rows"]) == (True, False)
    assert traffic["rules"]["aggregateOnly"]
    assert traffic["rules"]["minGroupSize"] == 5

    scoped = post(
        rules_gateway.url, ACCESS, idp.token("traffic-app"), type="TrafficFlowObserved"
    ).json()["data"]
    assert scoped["viewer"]["clientId"] == "traffic-app"
    assert [a["city"]["id"] for a in scoped["access"]] == list(RULE_CITIES)
    rules = scoped["access"][0]["rules"]
    assert rules == {
        "aggregateOnly": False,
        "minGroupSize": None,
        "keptAttributes": None,
        "removedAttributes": ["address"],
        "locationGridMetres": TRAFFIC_CELL_M,
        "olderThanMinutes": None,
        "rowFilters": ["laneId in [1, 2]"],
    }
    assert scoped["access"][0]["reason"].startswith("token with scope caap:traffic:read")


def _on_grid(location: dict[str, float], cell_m: float) -> bool:
    """The point is a cell centre: half a step past a whole number of steps, in both axes."""
    lat_step = cell_m / METRES_PER_DEGREE
    lon_step = lat_step / math.cos(math.radians(location["lat"]))
    return all(
        abs(value / step - 0.5 - round(value / step - 0.5)) < 1e-6
        for value, step in ((location["lat"], lat_step), (location["lon"], lon_step))
    )


def _metres(a: dict[str, float], b: dict[str, float]) -> float:
    dlat = (a["lat"] - b["lat"]) * METRES_PER_DEGREE
    dlon = (a["lon"] - b["lon"]) * METRES_PER_DEGREE * math.cos(math.radians(a["lat"]))
    return math.hypot(dlat, dlon)


# --- orderBy under a grant's rules (ADR 0019) ---------------------------------------------

ORDERED = """
query($type: String!, $filter: EntityFilter, $order: EntityOrder, $first: Int) {
  entities(type: $type, filter: $filter, orderBy: $order, first: $first) {
    nodes { id city { id } location { lat lon } attributes }
    pageInfo { endCursor }
    coverage { city { id } status }
  }
}
"""


def ordered(gw: GatewayServer, token: str | None, first: int = 1000, **variables: Any) -> Any:
    response = post(gw.url, ORDERED, token, first=first, **variables)
    assert response.status_code == 200, response.text
    return response.json()


def test_ordering_by_an_attribute_the_grant_hides_is_denied(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    by = {"by": "ATTRIBUTE"}
    hidden = ordered(
        rules_gateway, None, type="AirQualityObserved", order={**by, "attribute": "pm10"}
    )
    assert hidden["data"]["entities"]["nodes"] == []
    assert {c["status"] for c in hidden["data"]["entities"]["coverage"]} == {"DENIED"}
    assert {e["extensions"]["code"] for e in hidden["errors"]} == {"FORBIDDEN"}
    assert "does not share the attribute pm10" in hidden["errors"][0]["message"]
    assert "cannot be used to order" in hidden["errors"][0]["message"]
    shown = ordered(
        rules_gateway, None, type="AirQualityObserved", order={**by, "attribute": "no2"}
    )
    values = [n["attributes"]["no2"] for n in shown["data"]["entities"]["nodes"]]
    assert values
    assert values == sorted(values)
    dropped = ordered(
        rules_gateway,
        idp.token("traffic-app"),
        type="TrafficFlowObserved",
        order={**by, "attribute": "address"},
    )
    assert {c["status"] for c in dropped["data"]["entities"]["coverage"]} == {"DENIED"}


def test_distance_order_uses_the_coarse_location_only(
    rules_gateway: GatewayServer, idp: AuthServer, full_traffic: dict[str, Any]
) -> None:
    """Nearest first from a counter's true position: the order, and the cursor (which anyone
    can decode), follow the coarse cells the caller sees, never the true points."""
    token = idp.token("traffic-app")
    target = next(n for n in full_traffic.values() if n["attributes"]["laneId"] == 1)
    origin = target["location"]
    question: dict[str, Any] = {
        "type": "TrafficFlowObserved",
        "filter": {"near": {**origin, "maxDistance": 30_000}},
        "order": {"by": "DISTANCE"},
    }
    nodes = ordered(rules_gateway, token, **question)["data"]["entities"]["nodes"]
    assert target["id"] in {n["id"] for n in nodes}

    def coarse_key(node: dict[str, Any]) -> tuple[float, str, str]:
        return (_metres(origin, node["location"]), node["city"]["id"], node["id"])

    def true_key(node: dict[str, Any]) -> tuple[float, str, str]:
        return (
            _metres(origin, full_traffic[node["id"]]["location"]),
            node["city"]["id"],
            node["id"],
        )

    seen = [n["id"] for n in nodes]
    by_cell = [n["id"] for n in sorted(nodes, key=coarse_key)]
    by_truth = [n["id"] for n in sorted(nodes, key=true_key)]
    assert by_truth[0] == target["id"]  # the true order would give the target away
    assert by_truth != by_cell  # ... and the coarse one differs from it
    assert seen == by_cell
    first = ordered(rules_gateway, token, first=1, **question)["data"]["entities"]
    cursor = first["pageInfo"]["endCursor"]
    decoded = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    distance = decoded[4]
    assert distance == pytest.approx(_metres(origin, first["nodes"][0]["location"]), rel=1e-3)
    assert distance > 0


# --- where under a grant's rules (ADR 0018) -----------------------------------------------

FILTERED = """
query($type: String!, $where: [WhereCondition!], $first: Int) {
  entities(type: $type, where: $where, first: $first) {
    nodes { id attributes }
    coverage { city { id } status }
  }
}
"""


def filtered(gw: GatewayServer, token: str | None, **variables: Any) -> Any:
    response = post(gw.url, FILTERED, token, first=1000, **variables)
    assert response.status_code == 200, response.text
    return response.json()


def test_where_on_an_attribute_the_grant_hides_is_denied(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    """Filtering on pm10, which anonymous callers are not shown, would reveal its values."""
    hidden = filtered(
        rules_gateway,
        None,
        type="AirQualityObserved",
        where=[{"attribute": "pm10", "op": "GT", "value": 0}],
    )
    assert hidden["data"]["entities"]["nodes"] == []
    assert {c["status"] for c in hidden["data"]["entities"]["coverage"]} == {"DENIED"}
    assert {e["extensions"]["code"] for e in hidden["errors"]} == {"FORBIDDEN"}
    assert "does not share the attribute pm10" in hidden["errors"][0]["message"]
    assert "where cannot filter on it" in hidden["errors"][0]["message"]
    everything = filtered(rules_gateway, None, type="AirQualityObserved")
    no2 = sorted(n["attributes"]["no2"] for n in everything["data"]["entities"]["nodes"])
    assert len(no2) > 2
    middle = no2[len(no2) // 2]
    shown = filtered(
        rules_gateway,
        None,
        type="AirQualityObserved",
        where=[{"attribute": "no2", "op": "GTE", "value": middle}],
    )
    values = [n["attributes"]["no2"] for n in shown["data"]["entities"]["nodes"]]
    assert values
    assert sorted(values) == [v for v in no2 if v >= middle]
    dropped = filtered(
        rules_gateway,
        idp.token("traffic-app"),
        type="TrafficFlowObserved",
        where=[{"attribute": "address", "op": "EXISTS", "value": True}],
    )
    assert {c["status"] for c in dropped["data"]["entities"]["coverage"]} == {"DENIED"}


def test_where_on_the_location_is_refused_as_bad_input(rules_gateway: GatewayServer) -> None:
    """Locations are filtered with near/within only, which coarsening already guards."""
    answer = filtered(
        rules_gateway,
        None,
        type="AirQualityObserved",
        where=[{"attribute": "location", "op": "EXISTS", "value": True}],
    )
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "where[0].attribute: location is not an attribute" in answer["errors"][0]["message"]


# --- where (issue 14, ADR 0018) -----------------------------------------------------------

WHERE = """
query($type: String!, $where: [WhereCondition!]) {
  entities(type: $type, where: $where, first: 1000) {
    nodes { id attributes }
    coverage { city { id } status }
  }
}
"""


def test_where_on_an_attribute_the_grant_hides_is_refused(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    where = [{"attribute": "pm10", "op": "GT", "value": 0}]
    public = post(rules_gateway.url, WHERE, type="AirQualityObserved", where=where).json()
    assert public["data"]["entities"]["nodes"] == []
    assert {c["status"] for c in public["data"]["entities"]["coverage"]} == {"DENIED"}
    assert {e["extensions"]["code"] for e in public["errors"]} == {"FORBIDDEN"}
    assert "attribute pm10 of AirQualityObserved: where cannot" in public["errors"][0]["message"]
    dropped = [{"attribute": "address", "op": "EXISTS", "value": False}]
    token = idp.token("traffic-app")
    body = post(rules_gateway.url, WHERE, token, type="TrafficFlowObserved", where=dropped).json()
    assert body["data"]["entities"]["nodes"] == []
    assert "attribute address" in body["errors"][0]["message"]


def test_where_on_a_shown_attribute_filters_what_the_caller_sees(
    rules_gateway: GatewayServer, idp: AuthServer
) -> None:
    everything = entities(rules_gateway, "AirQualityObserved", idp.token("air-app"))
    nodes = everything["data"]["entities"]["nodes"]
    values = sorted(n["attributes"]["pm10"] for n in nodes if "pm10" in n["attributes"])
    middle = values[len(values) // 2]
    where = [{"attribute": "pm10", "op": "GTE", "value": middle}]
    token = idp.token("air-app")
    body = post(rules_gateway.url, WHERE, token, type="AirQualityObserved", where=where).json()
    assert "errors" not in body, body["errors"]
    got = {n["id"] for n in body["data"]["entities"]["nodes"]}
    assert got == {n["id"] for n in nodes if n["attributes"].get("pm10", -1) >= middle}
    assert 0 < len(got) < len(nodes)
