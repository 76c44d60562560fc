"""NGSI-LD completed: the temporal API, tenants, diwise's dialect and GeoJSON, against citysim."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from adapters.contract import (
    AdapterContext,
    Aggregation,
    HistoryAdapter,
    HistoryQuery,
    SourceQuery,
)
from adapters.errors import ConfigError, UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.config import validate_config
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.temporal import history_params
from citysim.cluster import SimCluster
from citysim.ngsi_ld.app import Broker, create_app
from citysim.settings import SimSettings
from citysim.world.catalog import BY_TYPE

NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)
HOUR = HistoryQuery(
    "WeatherObserved", NOW - timedelta(hours=1), NOW, attrs=("temperature",), limit=3
)


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(seed=5, cities=("malmo", "sundsvall"), clock=NOW.timestamp)
    async with SimCluster(settings) as running:
        yield running


def broker(cluster: SimCluster, city: str = "malmo", **options: Any) -> NgsiLdAdapter:
    return NgsiLdAdapter(
        {"url": cluster.urls[city], **options}, AdapterContext(city, logging.getLogger("test"))
    )


async def history(adapter: NgsiLdAdapter, query: HistoryQuery) -> dict[str, Any]:
    try:
        result = await adapter.fetch_history(query)
    finally:
        await adapter.aclose()
    return {e.id: e.series for e in result.entities} | {"_truncated": result.truncated}


async def test_history_is_what_the_world_showed(cluster: SimCluster) -> None:
    adapter = broker(cluster)
    assert isinstance(adapter, HistoryAdapter)
    got = await history(adapter, HOUR)
    assert got.pop("_truncated") is True  # 12 entities, limit 3
    assert list(got) == [f"urn:ngsi-ld:WeatherObserved:malmo-000{i}" for i in range(3)]
    series = got["urn:ngsi-ld:WeatherObserved:malmo-0000"]["temperature"]
    assert [(p.at, p.value) for p in series] == expected(cluster, "malmo")
    assert all(p.until is None for p in series)


def expected(cluster: SimCluster, city: str) -> list[tuple[datetime, Any]]:
    """(observedAt, temperature) of entity 0 in the hour before NOW, from the world itself."""
    world = cluster.servers[city].world
    found = []
    for bucket in range(world.bucket() - 70, world.bucket() + 1):
        entity = world.entity(BY_TYPE["WeatherObserved"], 0, bucket)
        at = datetime.fromisoformat(entity.observed_at)
        if HOUR.after <= at < HOUR.before:
            found.append((at, entity.values["temperature"]))
    return found


async def test_last_n_keeps_the_newest(cluster: SimCluster) -> None:
    full = await history(broker(cluster), HOUR)
    last = await history(broker(cluster), HistoryQuery(**{**vars_of(HOUR), "last_n": 4}))
    for entity_id, series in last.items():
        if entity_id != "_truncated":
            assert series["temperature"] == full[entity_id]["temperature"][-4:]


def vars_of(query: HistoryQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in HistoryQuery.__dataclass_fields__}


@pytest.mark.parametrize("period_s", [None, 900.0])
async def test_aggregation_by_the_broker_equals_aggregation_here(
    cluster: SimCluster, period_s: float | None
) -> None:
    query = HistoryQuery(**{**vars_of(HOUR), "aggregation": Aggregation("avg", period_s)})
    pushed = await history(broker(cluster, temporal={"aggregation": True}), query)
    local = await history(broker(cluster), query)
    assert pushed.keys() == local.keys()
    for entity_id in pushed.keys() - {"_truncated"}:
        a, b = pushed[entity_id]["temperature"], local[entity_id]["temperature"]
        assert [(p.at, p.until) for p in a] == [(p.at, p.until) for p in b]
        assert [p.value for p in a] == pytest.approx([p.value for p in b])
        assert len(a) == (1 if period_s is None else 4)


async def test_the_diwise_dialect_asks_for_and_reads_the_normalized_form(
    cluster: SimCluster,
) -> None:
    # Sundsvall's simulated broker speaks diwise, which ignores options other than
    # keyValues (citysim/ngsi_ld/dialects/diwise.py): asked for temporalValues, it answers
    # the normalized form, which both dialects of the adapter read.
    for dialect in ("etsi", "diwise"):
        got = await history(broker(cluster, "sundsvall", dialect=dialect), HOUR)
        series = got["urn:ngsi-ld:WeatherObserved:sundsvall-0000"]["temperature"]
        assert [(p.at, p.value) for p in series] == expected(cluster, "sundsvall"), dialect


async def test_diwise_404_may_mean_not_allowed(cluster: SimCluster) -> None:
    protected = frozenset({"WaterConsumptionObserved"})
    world = cluster.servers["sundsvall"].world
    runner = web.AppRunner(create_app(Broker(world, "unified", "diwise", protected=protected)))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    context = AdapterContext("sundsvall", logging.getLogger("test"))
    refused = NgsiLdAdapter({"url": url, "dialect": "diwise"}, context)
    allowed = NgsiLdAdapter(
        {"url": url, "dialect": "diwise", "headers": {"Authorization": "Bearer t"}}, context
    )
    try:
        with pytest.raises(UpstreamError, match="may not read this type") as caught:
            await refused.fetch_entities(SourceQuery("WaterConsumptionObserved"))
        assert caught.value.status == 404
        result = await allowed.fetch_entities(SourceQuery("WaterConsumptionObserved"))
        assert len(result.entities) == 12
    finally:
        await refused.aclose()
        await allowed.aclose()
        await runner.cleanup()


async def test_the_tenant_is_sent(cluster: SimCluster) -> None:
    known = await history(broker(cluster, tenant="default"), HOUR)
    assert len(known) == 4
    adapter = broker(cluster, tenant="elsewhere")
    try:
        with pytest.raises(UpstreamError, match="404") as caught:
            await adapter.fetch_history(HOUR)
        assert caught.value.status == 404
    finally:
        await adapter.aclose()


async def test_geojson_answers_map_like_json(cluster: SimCluster) -> None:
    plain, geo = broker(cluster), broker(cluster, accept="application/geo+json")
    try:
        a = await plain.fetch_entities(SourceQuery("TrafficFlowObserved", limit=100))
        b = await geo.fetch_entities(SourceQuery("TrafficFlowObserved", limit=100))
    finally:
        await plain.aclose()
        await geo.aclose()
    assert a.entities == b.entities
    assert len(b.entities) == 12


async def test_a_broker_without_history_is_unsupported(cluster: SimCluster) -> None:
    adapter = broker(cluster, temporal=False)
    try:
        with pytest.raises(UnsupportedQuery, match="keeps no history"):
            await adapter.fetch_history(HOUR)
    finally:
        await adapter.aclose()


async def test_a_temporal_next_link_to_another_host_is_refused() -> None:
    async def page(request: web.Request) -> web.Response:
        port = request.url.port
        entity = {"id": "urn:x:1", "type": "WeatherObserved", "temperature": {"values": []}}
        link = f'<http://localhost:{port}/ngsi-ld/v1/temporal/entities?offset=1>; rel="next"'
        return web.json_response([entity], headers={"Link": link})

    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/temporal/entities", page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    adapter = NgsiLdAdapter({"url": url}, AdapterContext("x", logging.getLogger("test")))
    try:
        with pytest.raises(UpstreamProtocolError, match="another host"):
            await adapter.fetch_history(HOUR)
    finally:
        await adapter.aclose()
        await runner.cleanup()


def test_history_parameters() -> None:
    config = validate_config({"url": "http://b.example"})
    terms = term_map(config.defaults.context)
    query = HistoryQuery(
        "WeatherObserved",
        datetime(2026, 11, 25, 9, 0, 0, 500_000, tzinfo=UTC),
        datetime(2026, 11, 25, 10, 0, 0, 500_000, tzinfo=UTC),
        entity_id="urn:ngsi-ld:WeatherObserved:malmo-0001",
        attrs=("temperature", "windSpeed"),
        last_n=5,
        aggregation=Aggregation("max", 3600),
    )
    params = dict(history_params(query, config, terms, 50))
    assert params["timerel"] == "between"
    assert params["timeAt"] == "2026-11-25T09:00:00Z"  # widened outwards
    assert params["endTimeAt"] == "2026-11-25T10:00:01Z"
    assert params["id"] == "urn:ngsi-ld:WeatherObserved:malmo-0001"
    assert params["attrs"] == "temperature,windSpeed"
    assert params["lastN"] == "5"
    assert params["options"] == "temporalValues"  # aggregated here unless the broker offers it
    pushed = validate_config({"url": "http://b.example", "temporal": {"aggregation": True}})
    params = dict(history_params(query, pushed, terms, 50))
    assert (params["options"], params["aggrMethods"], params["aggrPeriodDuration"]) == (
        "aggregatedValues", "max", "PT1H",
    )  # fmt: skip
    diwise = validate_config({"url": "http://b.example", "dialect": "diwise"})
    assert "options" not in dict(history_params(query, diwise, terms, 50))
    with pytest.raises(UnsupportedQuery, match="window is empty"):
        history_params(HistoryQuery("T", query.before, query.after), config, terms, 5)
    with pytest.raises(UnsupportedQuery, match="attribute"):
        history_params(
            HistoryQuery("T", query.after, query.before, attrs=("a;b",)), config, terms, 5
        )


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"dialect": "orion"}, "dialect"),
        ({"accept": "text/html"}, "accept"),
        ({"temporal": "yes"}, "temporal"),
        ({"temporal": {"aggregation": "yes"}}, "temporal.aggregation"),
        ({"temporal": {"url": "ftp://x"}}, "temporal.url"),
        ({"temporal": {"lastN": 3}}, "temporal.lastN"),
        ({"temporal": {"dialect": "mintaka-ld"}}, "temporal.dialect"),
    ],
)
def test_new_options_are_validated(options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config({"url": "http://b.example", **options})
    assert caught.value.key == key


def test_a_separate_temporal_endpoint() -> None:
    config = validate_config(
        {"url": "http://b.example", "temporal": {"url": "http://m.example:8080"}}
    )
    assert config.temporal is not None
    assert str(config.temporal.url) == "http://m.example:8080/ngsi-ld/v1/"
    assert validate_config({"url": "http://b.example", "temporal": False}).temporal is None
