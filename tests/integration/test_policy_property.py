"""Property: no answer contains a row or a field that a city's policy forbids, whatever the
caches hold (issue 4, item 7).

Two gateway instances serve eight cities whose policies are generated (from a
seed) in the federation file's own language: grants for scopes (any of, all of)
and client ids, public grants, removed or kept attributes, coarse locations, time
limits, row filters, aggregate-only grants with minimum group sizes, datasets not
listed at all. Both caches are on and keep everything for an hour: the upstream
cache (in-process, and Redis shared by the two instances) and the response cache.
Hypothesis draws a question (entities or statistics, cities, a ``near`` filter)
and two or three callers (anonymous, or a client with some scopes; each with a
real token from the test authorization server). Each caller asks the question,
then each asks again on the other instance: the first answers fill the caches
(unless an earlier example did), the others are served from them, so an entry
shared across policy classes would hand one caller another's rows or fields.

Every answer is checked against an oracle written from the YAML policy (not the
gateway's model of it) and from the platforms' own data, fetched directly through
the NGSI-LD adapter. The platforms' clock stands still, so the data cannot change;
what a time limit lets out can only grow while the test runs, and an answer served
from a cache may lag behind it, never run ahead of it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.contract import AdapterContext, SourceEntity, SourceQuery
from adapters.ngsi_ld import NgsiLdAdapter
from tests.support.auth_server import AUDIENCE, AuthServer, Client
from tests.support.federation_files import municipalities, write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post
from tests.support.metrics_text import total
from tests.support.redis_server import RedisServer
from tests.support.sim import Sim, running_sim
from tests.support.still_clock import BUCKET_S, still_clock

EXAMPLES = 200
CITIES = ("stockholm", "goteborg", "malmo", "lund", "kalmar", "orebro", "umea", "skelleftea")
NUMERIC = {
    "WeatherObserved": ("temperature", "windSpeed", "relativeHumidity"),
    "AirQualityObserved": ("no2", "pm10", "reliability"),
    "TrafficFlowObserved": ("intensity", "averageVehicleSpeed", "occupancy"),
    "WaterConsumptionObserved": ("waterConsumption", "maxFlow", "minFlow"),
}
SCOPES = ("s1", "s2", "s3")
CLIENT_IDS = ("c1", "c2", "c3")
METRES_PER_DEGREE = 2 * math.pi * 6_371_008.8 / 360
RUNS = {"examples": 0, "exposed": 0}
STORED: dict[tuple[int, Question], set[Caller]] = {}
"""(instance, question) -> callers whose complete answer that instance's response cache holds."""
CACHED = {
    "cache": {"ttl_s": 3600, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
    "response_cache": {"ttl_s": 3600},
    "rate_limit": {"requests_per_s": 0},
}
"""Both caches keep every answer for the whole run; no caller is slowed down."""

ROWS = """
query($type: String!, $filter: EntityFilter) {
  entities(type: $type, filter: $filter, first: 1000) {
    nodes { id city { id } observedAt location { lat lon } attributes }
    totalCount
    coverage { city { id } status count message }
  }
}
"""
STATS = """
query($type: String!, $attribute: String!, $filter: EntityFilter, $groupBy: StatisticsGroupBy) {
  statistics(type: $type, attribute: $attribute, filter: $filter, groupBy: $groupBy) {
    groups { city { id } count min max mean }
    coverage { city { id } status count message }
  }
}
"""


# --- the world: platforms, policies, gateway ----------------------------------------------


@dataclass(repr=False)
class World:
    gateways: tuple[GatewayServer, GatewayServer]
    """Two instances sharing one Redis."""
    started: float
    """Wall-clock time before the gateways started: no answer was computed earlier."""
    idp: AuthServer
    truth: dict[tuple[str, str], list[SourceEntity]]
    """(city, type) -> the platform's entities."""
    policies: dict[str, dict[str, Any]]
    """city -> type -> the ``access`` value written in the federation file (absent: not listed)."""
    tokens: dict[tuple[str, frozenset[str]], str]

    def __repr__(self) -> str:
        return f"World({', '.join(gw.url for gw in self.gateways)})"  # not the data

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints dataclasses field by field otherwise


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    frozen_at, youngest_age_s = still_clock()
    clients = [Client(c, f"{c}-secret", frozenset(SCOPES)) for c in CLIENT_IDS]
    with (
        running_sim(
            seed=99,
            entities_per_type=10,
            cities=CITIES,
            bucket_s=BUCKET_S,
            clock=lambda: frozen_at,
        ) as sim,
        AuthServer(clients, token_ttl_s=3600) as idp,
        RedisServer() as redis,
    ):
        truth = asyncio.run(_fetch_truth(sim))
        policies = _generate_policies(random.Random(2026), truth, youngest_age_s)
        path = write_federation(
            tmp_path_factory.mktemp("property") / "federation.yaml",
            sim.urls,
            gateway=CACHED,
            auth={"issuer": idp.issuer, "audience": AUDIENCE},
            datasets=lambda city: {t: {"access": a} for t, a in policies[city].items()},
        )
        started = time.time()
        with (
            GatewayServer(str(path), redis_url=redis.url) as one,
            GatewayServer(str(path), redis_url=redis.url) as two,
        ):
            yield World((one, two), started, idp, truth, policies, {})


async def _fetch_truth(sim: Sim) -> dict[tuple[str, str], list[SourceEntity]]:
    truth: dict[tuple[str, str], list[SourceEntity]] = {}
    for city in CITIES:
        context = AdapterContext(city_id=city, logger=logging.getLogger("truth"))
        adapter = NgsiLdAdapter({"url": sim.urls[city]}, context)
        try:
            for type_name in NUMERIC:
                result = await adapter.fetch_entities(SourceQuery(type_name, limit=10_000))
                truth[(city, type_name)] = list(result.entities)
        finally:
            await adapter.aclose()
    return truth


def _generate_policies(
    rng: random.Random, truth: dict[tuple[str, str], list[SourceEntity]], youngest_age_s: float
) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    for city in CITIES:
        policies[city] = {}
        for type_name in NUMERIC:
            if rng.random() < 0.1:
                continue  # not listed: denied to everyone
            entities = truth[(city, type_name)]
            policies[city][type_name] = _grants(rng, type_name, entities, youngest_age_s)
    return policies


def _grants(
    rng: random.Random, type_name: str, entities: list[SourceEntity], youngest_age_s: float
) -> list[dict[str, Any]]:
    grants: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.25:
            grants.append({"public": True, **_rules(rng, type_name, entities, youngest_age_s)})
            break
        audience: dict[str, Any] = {}
        if rng.random() < 0.7:
            audience["scopes"] = rng.choice(
                [
                    rng.sample(SCOPES, rng.randint(1, 2)),
                    {"all_of": rng.sample(SCOPES, rng.randint(1, 2))},
                    {"any_of": rng.sample(SCOPES, 2), "all_of": rng.sample(SCOPES, 1)},
                ]
            )
        if rng.random() < 0.4 or not audience:
            audience["clients"] = rng.sample(CLIENT_IDS, rng.randint(1, 2))
        if audience in seen:
            continue
        seen.append(audience)
        grants.append({**audience, **_rules(rng, type_name, entities, youngest_age_s)})
    return grants


def _rules(
    rng: random.Random, type_name: str, entities: list[SourceEntity], youngest_age_s: float
) -> dict[str, Any]:
    names = sorted({name for e in entities for name in e.attributes})
    rules: dict[str, Any] = {}
    fields = rng.random()
    if fields < 0.3:
        rules["drop"] = rng.sample([*names, "location"], rng.randint(1, 4))
    elif fields < 0.5:
        rules["keep"] = rng.sample([*NUMERIC[type_name], "location", *names], rng.randint(1, 4))
    if rng.random() < 0.3:
        rules["coarsen_m"] = rng.choice([100, 1000, 10_000])
    if rng.random() < 0.3:
        rules["older_than_min"] = round(youngest_age_s / 60 + rng.choice([10, 60, 110]), 1)
    if rng.random() < 0.25:
        rules["aggregate_only"] = True
        if rng.random() < 0.7:
            rules["min_group_size"] = rng.choice([2, 5, 9])
    if rng.random() < 0.35:
        rules["where"] = [_row_filter(rng, entities)]
    return rules


def _row_filter(rng: random.Random, entities: list[SourceEntity]) -> dict[str, Any]:
    scalars = [
        (name, value)
        for e in entities
        for name, value in e.attributes.items()
        if isinstance(value, str | int | float) and not _nan(value)
    ]
    name, value = rng.choice(scalars)
    others = [v for n, v in scalars if n == name]
    if isinstance(value, bool):
        op = rng.choice(["eq", "ne"])
    else:
        op = rng.choice(["eq", "ne", "lt", "le", "gt", "ge", "in"])
    if op == "in":
        return {"attribute": name, "op": op, "value": rng.sample(others, min(2, len(others)))}
    return {"attribute": name, "op": op, "value": value}


def _nan(value: object) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


# --- the oracle: the policy language as documented, written again -----------------------


@dataclass(frozen=True)
class Caller:
    client: str | None
    scopes: frozenset[str]


def grant_for(access: Any, caller: Caller) -> dict[str, Any] | None:
    for grant in access if isinstance(access, list) else [access]:
        if grant.get("public"):
            return dict(grant)
        if caller.client is None:
            continue
        if grant.get("clients") and caller.client not in grant["clients"]:
            continue
        scopes = grant.get("scopes", [])
        any_of = scopes if isinstance(scopes, list) else scopes.get("any_of", [])
        all_of = [] if isinstance(scopes, list) else scopes.get("all_of", [])
        if not set(all_of) <= caller.scopes or (any_of and not set(any_of) & caller.scopes):
            continue
        return dict(grant)
    return None


def shows(grant: dict[str, Any], name: str) -> bool:
    if name in grant.get("drop", []):
        return False
    return "keep" not in grant or name in grant["keep"]


def row_passes(grant: dict[str, Any], attributes: dict[str, Any]) -> bool:
    for f in grant.get("where", []):
        if f["attribute"] not in attributes:
            return False
        value, operand = attributes[f["attribute"]], f["value"]
        if not isinstance(value, str | int | float) or _nan(value):
            return False
        candidates = operand if f["op"] == "in" else [operand]
        same = any(_same(value, c) for c in candidates)
        if f["op"] in ("eq", "in") and not same:
            return False
        if f["op"] == "ne" and same:
            return False
        if f["op"] in ("lt", "le", "gt", "ge") and not _ordered(value, f["op"], operand):
            return False
    return True


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "str"


def _same(value: Any, operand: Any) -> bool:
    return _kind(value) == _kind(operand) and value == operand


def _ordered(value: Any, op: str, operand: Any) -> bool:
    if _kind(value) != _kind(operand) or _kind(value) == "bool":
        return False
    results = {
        "lt": value < operand,
        "le": value <= operand,
        "gt": value > operand,
        "ge": value >= operand,
    }
    return bool(results[op])


def cell_centre(lat: float, lon: float, cell: float) -> tuple[float, float]:
    lat_step = cell / METRES_PER_DEGREE
    clat = (math.floor(lat / lat_step) + 0.5) * lat_step
    lon_step = lat_step / max(0.01, math.cos(math.radians(clat)))
    return clat, (math.floor(lon / lon_step) + 0.5) * lon_step


def shown_location(grant: dict[str, Any], e: SourceEntity) -> tuple[float, float] | None:
    if e.location is None or not shows(grant, "location"):
        return None
    if "coarsen_m" in grant:
        return cell_centre(e.location.lat, e.location.lon, grant["coarsen_m"])
    return e.location.lat, e.location.lon


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Question:
    type_name: str
    cities: tuple[str, ...] | None
    near: tuple[float, float, float] | None
    statistic: str | None
    by_city: bool

    def filter(self) -> dict[str, Any] | None:
        f: dict[str, Any] = {}
        if self.cities is not None:
            f["cities"] = list(self.cities)
        if self.near is not None:
            f["near"] = {"lat": self.near[0], "lon": self.near[1], "maxDistance": self.near[2]}
        return f or None


def expected_refusal(world: World, city: str, q: Question, caller: Caller) -> str | None:
    """None when the city answers; else the error code of its DENIED coverage."""
    access = world.policies[city].get(q.type_name)
    if access is None:
        return "FORBIDDEN"
    grant = grant_for(access, caller)
    if grant is None:
        return "UNAUTHENTICATED" if caller.client is None else "FORBIDDEN"
    if q.statistic is None and grant.get("aggregate_only"):
        return "FORBIDDEN"
    if q.statistic is not None and not shows(grant, q.statistic):
        return "FORBIDDEN"
    if q.near is not None and not shows(grant, "location"):
        return "FORBIDDEN"
    return None


def selected(
    world: World, city: str, q: Question, grant: dict[str, Any], t0: float, t1: float
) -> tuple[dict[str, SourceEntity], set[str]]:
    """The entities the caller may get (at the latest instant), and those it must get."""
    may: dict[str, SourceEntity] = {}
    must: set[str] = set()
    for e in world.truth[(city, q.type_name)]:
        if not row_passes(grant, dict(e.attributes)):
            continue
        if q.near is not None:
            where = shown_location(grant, e)
            if where is None or haversine(where, q.near[:2]) > q.near[2]:
                continue
        if "older_than_min" in grant:
            limit = grant["older_than_min"] * 60
            observed = e.observed_at.timestamp() if e.observed_at else None
            if observed is None or observed > t1 - limit:
                continue
            if observed <= t0 - limit:
                must.add(e.id)
        else:
            must.add(e.id)
        may[e.id] = e
    return may, must


# --- the checks ---------------------------------------------------------------------------


def check_coverage(
    world: World, q: Question, caller: Caller, body: dict[str, Any], key: str
) -> dict[str, str | None]:
    scope = list(q.cities) if q.cities is not None else list(CITIES)
    coverage = {c["city"]["id"]: c for c in body["data"][key]["coverage"]}
    assert list(coverage) == scope
    refusals = {city: expected_refusal(world, city, q, caller) for city in scope}
    errors = {e["extensions"]["city"]: e["extensions"]["code"] for e in body.get("errors", [])}
    assert errors == {city: code for city, code in refusals.items() if code is not None}
    for city, code in refusals.items():
        assert (coverage[city]["status"] == "DENIED") == (code is not None), city
    return refusals


def check_rows(
    world: World, q: Question, caller: Caller, body: dict[str, Any], t0: float, t1: float
) -> None:
    refusals = check_coverage(world, q, caller, body, "entities")
    nodes = body["data"]["entities"]["nodes"]
    assert body["data"]["entities"]["totalCount"] == len(nodes)
    by_city: dict[str, set[str]] = {}
    for node in nodes:
        city = node["city"]["id"]
        assert refusals.get(city, "not asked") is None, f"a row from {city}, which is refused"
        grant = grant_for(world.policies[city][q.type_name], caller)
        assert grant is not None
        may, _ = selected(world, city, q, grant, t0, t1)
        assert node["id"] in may, f"{node['id']} of {city} is not one the policy lets out"
        true = may[node["id"]]
        expected = {k: v for k, v in true.attributes.items() if shows(grant, k)}
        assert node["attributes"] == expected
        where = shown_location(grant, true)
        if where is None:
            assert node["location"] is None
        else:
            assert (node["location"]["lat"], node["location"]["lon"]) == pytest.approx(where)
        by_city.setdefault(city, set()).add(node["id"])
    for city, refusal in refusals.items():
        if refusal is None:
            grant = grant_for(world.policies[city][q.type_name], caller)
            assert grant is not None
            may, must = selected(world, city, q, grant, t0, t1)
            assert must <= by_city.get(city, set()) <= set(may)


def check_statistics(
    world: World, q: Question, caller: Caller, body: dict[str, Any], t0: float, t1: float
) -> None:
    assert q.statistic is not None
    refusals = check_coverage(world, q, caller, body, "statistics")
    coverage = {c["city"]["id"]: c for c in body["data"]["statistics"]["coverage"]}
    groups = body["data"]["statistics"]["groups"]
    exact = True
    extremes = True  # min and max are withheld where an aggregate-only grant applies (M4)
    contributed: list[float] = []
    grouped = {g["city"]["id"]: g for g in groups} if q.by_city else {}
    for city, refusal in refusals.items():
        if refusal is not None:
            assert city not in grouped
            continue
        grant = grant_for(world.policies[city][q.type_name], caller)
        assert grant is not None
        may, must = selected(world, city, q, grant, t0, t1)
        values = [
            float(v)
            for e in may.values()
            if isinstance(v := e.attributes.get(q.statistic), int | float)
            and not isinstance(v, bool)
            and not _nan(v)
        ]
        certain = len(must) == len(may)
        exact = exact and certain
        least = grant.get("min_group_size")
        withheld = coverage[city]["count"] is None
        if least is not None and certain:
            assert withheld == (len(values) < least), city
        elif least is None:
            assert not withheld
        if withheld:
            assert city not in grouped
            assert "fewer than" in coverage[city]["message"]
            continue
        contributed.extend(values)
        own_extremes = not grant.get("aggregate_only")
        extremes = extremes and own_extremes
        if q.by_city and certain:
            _same_summary(grouped[city], values, own_extremes)
    if not q.by_city and exact:
        (group,) = groups
        assert group["city"] is None
        _same_summary(group, contributed, extremes)


def _same_summary(group: dict[str, Any], values: list[float], extremes: bool) -> None:
    assert group["count"] == len(values)
    if values:
        shown = (min(values), max(values)) if extremes else (None, None)
        assert (group["min"], group["max"]) == shown
        assert group["mean"] == pytest.approx(math.fsum(values) / len(values))
    else:
        assert (group["min"], group["max"], group["mean"]) == (None, None, None)


# --- the property -------------------------------------------------------------------------

callers = st.one_of(
    st.just(Caller(None, frozenset())),
    st.builds(
        Caller,
        st.sampled_from(CLIENT_IDS),
        st.frozensets(st.sampled_from(SCOPES)),
    ),
)


@st.composite
def questions(draw: st.DrawFn) -> Question:
    type_name = draw(st.sampled_from(sorted(NUMERIC)))
    cities = draw(
        st.none()
        | st.lists(st.sampled_from(CITIES), min_size=1, max_size=1)  # often complete: stored
        | st.lists(st.sampled_from(CITIES), min_size=1, max_size=4, unique=True)
    )
    near = None
    if draw(st.booleans()):
        centre = draw(st.sampled_from([m for m in municipalities() if m["id"] in CITIES]))
        radius = draw(st.sampled_from([50.0, 2_000.0, 20_000.0, 2_000_000.0]))
        near = (float(centre["lat"]), float(centre["lon"]), radius)
    statistic = draw(st.none() | st.sampled_from(NUMERIC[type_name]))
    return Question(
        type_name, tuple(cities) if cities else None, near, statistic, draw(st.booleans())
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(askers=st.lists(callers, min_size=2, max_size=3, unique=True), q=questions())
def no_answer_contains_what_a_policy_forbids(
    world: World, askers: list[Caller], q: Question
) -> None:
    """The property, for one example; run by the test below."""
    RUNS["examples"] += 1
    for round_ in range(2):  # the first round fills the caches, the second is served by them
        for i, caller in enumerate(askers):
            instance = (i + round_) % 2
            stored = STORED.setdefault((instance, q), set())
            RUNS["exposed"] += bool(stored - {caller})  # another caller's answer is held there
            body, t1 = ask(world, world.gateways[instance], caller, q)
            if "errors" not in body:
                stored.add(caller)
            if q.statistic is None:
                check_rows(world, q, caller, body, world.started, t1)
            else:
                check_statistics(world, q, caller, body, world.started, t1)


def ask(
    world: World, gateway: GatewayServer, caller: Caller, q: Question
) -> tuple[dict[str, Any], float]:
    """The answer of ``gateway`` to ``caller``, and the time it was received."""
    token = None
    if caller.client is not None:
        key = (caller.client, caller.scopes)
        if key not in world.tokens:
            world.tokens[key] = world.idp.token(caller.client, " ".join(sorted(caller.scopes)))
        token = world.tokens[key]
    if q.statistic is None:
        response = post(gateway.url, ROWS, token, type=q.type_name, filter=q.filter())
    else:
        response = post(
            gateway.url,
            STATS,
            token,
            type=q.type_name,
            attribute=q.statistic,
            filter=q.filter(),
            groupBy="CITY" if q.by_city else "NONE",
        )
    received = time.time()
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, received


def test_no_answer_contains_what_a_policy_forbids_through_both_caches(world: World) -> None:
    """The property over at least 200 examples, then proof that the run was not vacuous (in
    one test: nothing here depends on another test having run first)."""
    RUNS.update(examples=0, exposed=0)
    STORED.clear()
    no_answer_contains_what_a_policy_forbids(world)
    assert RUNS["examples"] >= EXAMPLES

    def events(tier: str, event: str) -> float:
        return sum(
            total(gw.url, "caap_cache_events_total", tier=tier, event=event)
            for gw in world.gateways
        )

    # The run was not vacuous: answers were served from every tier, and many callers asked
    # an instance that held another caller's complete answer to the very same question.
    assert RUNS["exposed"] >= 40
    assert events("response", "hit") >= 1
    assert events("memory", "hit") >= EXAMPLES
    assert events("redis", "hit") >= 40
