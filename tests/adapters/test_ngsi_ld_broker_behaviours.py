"""Behaviours of real NGSI-LD brokers (issue 12), each scripted on a loopback server.

Every test names the defect it reproduces; each failed before its fix. The
behaviours and where they come from are in ``adapters/ngsi_ld/dialect.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from adapters.contract import AdapterContext, HistoryQuery, SourceQuery
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld import NgsiLdAdapter
from tests.support.recorded_server import Recorded, Reply, serving

T0 = datetime(2026, 11, 1, tzinfo=UTC)
HIVE = "urn:ngsi-ld:BeeHive:01"
DAY = HistoryQuery("BeeHive", T0, T0 + timedelta(days=1), attrs=("temperature",))


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def adapter(server: Recorded, **options: Any) -> NgsiLdAdapter:
    return NgsiLdAdapter({"url": server.url, **options},
                         AdapterContext("test", logging.getLogger("test")))  # fmt: skip


async def history(server: Recorded, query: HistoryQuery = DAY, **options: Any) -> Any:
    built = adapter(server, **options)
    try:
        return await built.fetch_history(query)
    finally:
        await built.aclose()


async def entities(server: Recorded, query: SourceQuery, **options: Any) -> Any:
    built = adapter(server, **options)
    try:
        return await built.fetch_entities(query)
    finally:
        await built.aclose()


def window(request: web.Request) -> tuple[datetime, datetime]:
    def read(name: str) -> datetime:
        return datetime.fromisoformat(request.query[name].replace("Z", "+00:00"))

    return read("timeAt"), read("endTimeAt")


def capped_broker(
    instances: list[tuple[datetime, float]], cap: int
) -> Callable[[web.Request], Awaitable[Reply]]:
    """Stellio's and Mintaka's temporal API: at most ``cap`` instances per answer, then 206
    with ``Content-Range: date-time <first>-<last>/*`` (Stellio ``TemporalApiResponses.kt``)."""

    async def script(request: web.Request) -> Reply:
        start, end = window(request)
        inside = [(t, v) for t, v in instances if start <= t < end]
        shown = inside[:cap]
        body = [{"id": HIVE, "type": "BeeHive", "temperature": {
            "type": "Property", "values": [[v, iso(t)] for t, v in shown]}}]  # fmt: skip
        if len(inside) <= cap:
            return Reply(body)
        content_range = f"date-time {iso(shown[0][0])}-{iso(shown[-1][0])}/*"
        return Reply(body, status=206, headers={"Content-Range": content_range})

    return script


async def test_a_206_is_a_part_and_the_rest_is_asked_for() -> None:
    """Defect "206 Partial Content": the adapter raised "the broker answered HTTP 206,
    expected 200" and the whole history call failed."""
    instances = [(T0 + timedelta(minutes=i), float(i)) for i in range(250)]
    async with serving(capped_broker(instances, cap=100)) as server:
        result = await history(server, dialect="stellio")
    (entity,) = result.entities
    assert [(p.at, p.value) for p in entity.series["temperature"]] == instances
    assert result.truncated is False
    assert len(server.requests) == 3  # 100, 100 (from the range end), 50


async def test_a_206_with_last_n_asks_before_the_range() -> None:
    """Defect "206 Partial Content", with ``lastN``: the newest come first, the rest before."""
    instances = [(T0 + timedelta(minutes=i), float(i)) for i in range(30)]

    async def script(request: web.Request) -> Reply:
        start, end = window(request)
        inside = [(t, v) for t, v in instances if start <= t < end][-10:]
        body = [{"id": HIVE, "type": "BeeHive", "temperature": {
            "type": "Property", "values": [[v, iso(t)] for t, v in inside]}}]  # fmt: skip
        last_n = int(request.query["lastN"])
        if len(inside) == 10 and last_n > 10 and start < inside[0][0]:
            content_range = f"date-time {iso(inside[-1][0])}-{iso(inside[0][0])}/{last_n}"
            return Reply(body, status=206, headers={"Content-Range": content_range})
        return Reply(body)

    async with serving(script) as server:
        query = HistoryQuery("BeeHive", DAY.after, DAY.before, attrs=("temperature",), last_n=25)
        result = await history(server, query)
    (entity,) = result.entities
    assert [(p.at, p.value) for p in entity.series["temperature"]] == instances[-25:]


def mintaka(hives: int) -> Callable[[web.Request], Awaitable[Reply]]:
    """Mintaka: ``pageSize``/``pageAnchor`` and ``Next-Page`` (an entity id, inclusive);
    ``offset`` and ``count=true`` ignored; counts with ``options=count``
    (``TemporalApiController.java``)."""
    ids = [f"urn:ngsi-ld:BeeHive:{n:02d}" for n in range(hives)]

    async def script(request: web.Request) -> Reply:
        size = int(request.query.get("pageSize") or request.query.get("limit") or 100)
        anchor = request.query.get("pageAnchor")
        first = ids.index(anchor) if anchor else 0
        page = ids[first : first + size]
        body = [{"id": i, "type": "BeeHive", "temperature": [
            {"type": "Property", "value": 20.0, "observedAt": iso(T0)}]} for i in page]  # fmt: skip
        headers = {}
        if first + size < len(ids):
            headers = {"Page-Size": str(size), "Next-Page": ids[first + size]}
        if "count" in request.query.get("options", "").split(","):
            headers["NGSILD-Results-Count"] = str(len(ids))
        return Reply(body, headers=headers)

    return script


async def test_mintaka_pages_are_followed_to_the_end() -> None:
    """Defect "Mintaka paging": the adapter stopped after the first page and reported
    ``truncated=False`` (silent data loss)."""
    async with serving(mintaka(7)) as server:
        result = await history(server, dialect="mintaka", page_size=3)
    assert [e.id for e in result.entities] == [f"urn:ngsi-ld:BeeHive:{n:02d}" for n in range(7)]
    assert result.truncated is False
    asked = server.queries()
    assert [q.get("pageAnchor") for q in asked] == [
        None, "urn:ngsi-ld:BeeHive:03", "urn:ngsi-ld:BeeHive:06"]  # fmt: skip
    assert all(q["pageSize"] == "3" and "offset" not in q for q in asked)
    assert "count" in asked[0]["options"].split(",")


async def test_mintaka_beside_orion_ld_is_its_own_dialect() -> None:
    """Defect "Mintaka paging", as deployed: Orion-LD for entities, Mintaka for history."""
    async with serving(mintaka(7)) as server:
        temporal = {"url": server.url, "dialect": "mintaka"}
        result = await history(server, dialect="orion-ld", page_size=3, temporal=temporal)
    assert len(result.entities) == 7
    assert all("pageSize" in q for q in server.queries())


async def test_mintaka_pages_beyond_the_limit_are_truncated() -> None:
    """Defect "Mintaka paging": never ``truncated=False`` while data remains."""
    async with serving(mintaka(7)) as server:
        query = HistoryQuery("BeeHive", DAY.after, DAY.before, limit=3)
        result = await history(server, query, dialect="mintaka")
    assert len(result.entities) == 3
    assert result.truncated is True


SIMPLIFIED_DATASETS = {
    "id": HIVE, "type": "BeeHive",
    "temperature": [
        {"type": "Property", "datasetId": "urn:ngsi-ld:Dataset:inside",
         "values": [[34.5, "2026-11-01T10:00:00Z"], [34.7, "2026-11-01T11:00:00Z"]]},
        {"type": "Property", "datasetId": "urn:ngsi-ld:Dataset:outside",
         "values": [[8.1, "2026-11-01T10:00:00Z"]]},
    ],
}  # fmt: skip
NORMALIZED_DATASETS = {
    "id": HIVE, "type": "BeeHive",
    "temperature": [
        {"type": "Property", "value": 20.0, "observedAt": "2026-11-01T10:00:00Z"},
        {"type": "Property", "value": 8.1, "observedAt": "2026-11-01T10:00:00Z",
         "datasetId": "urn:ngsi-ld:Dataset:outside"},
        {"type": "Property", "value": 21.0, "observedAt": "2026-11-01T11:00:00Z"},
        {"type": "Property", "value": 7.9, "observedAt": "2026-11-01T11:00:00Z",
         "datasetId": "urn:ngsi-ld:Dataset:outside"},
    ],
}  # fmt: skip


def answering(body: Any) -> Callable[[web.Request], Awaitable[Reply]]:
    async def script(request: web.Request) -> Reply:
        return Reply(body)

    return script


async def test_simplified_datasets_are_series_of_their_own() -> None:
    """Defect "datasetId": several datasets in the simplified form gave an empty series."""
    async with serving(answering([SIMPLIFIED_DATASETS])) as server:
        (entity,) = (await history(server)).entities
    named = entity.datasets["temperature"]
    assert [p.value for p in named["urn:ngsi-ld:Dataset:inside"]] == [34.5, 34.7]
    assert [p.value for p in named["urn:ngsi-ld:Dataset:outside"]] == [8.1]
    assert entity.series["temperature"] == named["urn:ngsi-ld:Dataset:inside"]  # no default


async def test_aggregated_datasets_are_series_of_their_own() -> None:
    """Defect "datasetId": several datasets in the aggregated form gave an empty series."""
    body = {"id": HIVE, "type": "BeeHive", "temperature": [
        {"type": "Property", "avg": [[34.6, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]]},
        {"type": "Property", "datasetId": "urn:ngsi-ld:Dataset:outside",
         "avg": [[8.0, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]]},
    ]}  # fmt: skip
    async with serving(answering([body])) as server:
        (entity,) = (await history(server)).entities
    assert [p.value for p in entity.series["temperature"]] == [34.6]
    outside = entity.datasets["temperature"]["urn:ngsi-ld:Dataset:outside"]
    assert [(p.value, p.until) for p in outside] == [(8.0, T0 + timedelta(days=1))]


async def test_every_attribute_type_has_its_simplified_series() -> None:
    """Stellio's simplified temporal form names the pairs per attribute type: ``values``,
    ``objects``, ``languageMaps``, ``vocabs``, ``jsons`` (``NgsiLdContextDefinitions.kt``);
    only the first two were read."""
    at = "2026-11-01T10:00:00Z"
    body = {"id": HIVE, "type": "BeeHive",
            "name": {"type": "LanguageProperty", "languageMaps": [[{"sv": "Kupa"}, at]]},
            "category": {"type": "VocabProperty", "vocabs": [["apiary", at]]},
            "config": {"type": "JsonProperty", "jsons": [[{"k": 1}, at]]},
            "owner": {"type": "Relationship",
                      "objects": [["urn:ngsi-ld:Person:1", at]]}}  # fmt: skip
    async with serving(answering([body])) as server:
        query = HistoryQuery("BeeHive", DAY.after, DAY.before)
        (entity,) = (await history(server, query)).entities
    assert {k: [p.value for p in v] for k, v in entity.series.items()} == {
        "name": [{"sv": "Kupa"}], "category": ["apiary"], "config": [{"k": 1}],
        "owner": ["urn:ngsi-ld:Person:1"]}  # fmt: skip


async def test_normalized_datasets_are_not_interleaved() -> None:
    """Defect "datasetId": in the normalized form the datasets were merged into one series
    (values of dataset A and B interleaved)."""
    async with serving(answering([NORMALIZED_DATASETS])) as server:
        (entity,) = (await history(server)).entities
    assert [p.value for p in entity.series["temperature"]] == [20.0, 21.0]
    outside = entity.datasets["temperature"]["urn:ngsi-ld:Dataset:outside"]
    assert [p.value for p in outside] == [8.1, 7.9]


async def test_multi_instance_attributes_are_kept() -> None:
    """Defect "datasetId": multi-instance attributes of an entity kept one instance and
    dropped the rest without notice."""
    hive = {"id": HIVE, "type": "BeeHive", "temperature": [
        {"type": "Property", "value": 34.5, "datasetId": "urn:ngsi-ld:Dataset:inside"},
        {"type": "Property", "value": 20.0},
        {"type": "Property", "value": 8.1, "datasetId": "urn:ngsi-ld:Dataset:outside"},
    ]}  # fmt: skip
    async with serving(answering([hive])) as server:
        (entity,) = (await entities(server, SourceQuery("BeeHive"))).entities
    assert entity.attributes["temperature"] == 20.0  # the default instance
    assert entity.datasets == {"temperature": {
        "urn:ngsi-ld:Dataset:inside": 34.5, "urn:ngsi-ld:Dataset:outside": 8.1}}  # fmt: skip


async def test_simplified_multi_instance_attributes_are_kept() -> None:
    """Defect "datasetId", keyValues: Stellio simplifies a multi-instance attribute to
    ``{"dataset": {"@none": v0, "<datasetId>": v1}}`` (``CompactedEntity.kt``,
    ``simplifyMultiInstanceAttribute``); the whole object came out as the value."""
    hive = {"id": HIVE, "type": "BeeHive", "temperature": {"dataset": {
        "urn:ngsi-ld:Dataset:inside": 34.5, "@none": 20.0}}}  # fmt: skip
    async with serving(answering([hive])) as server:
        (entity,) = (await entities(server, SourceQuery("BeeHive"), dialect="stellio")).entities
    assert entity.attributes["temperature"] == 20.0
    assert entity.datasets == {"temperature": {"urn:ngsi-ld:Dataset:inside": 34.5}}


async def test_unit_codes_are_converted_to_the_model_units() -> None:
    """Defect "Units": the adapter never read ``unitCode`` (a temperature in FAH stayed in
    °F), where the SensorThings and Lynx adapters convert."""
    observed = {
        "id": "urn:ngsi-ld:WeatherObserved:1",
        "type": "WeatherObserved",
        "temperature": {"type": "Property", "value": 68, "unitCode": "FAH"},
        "relativeHumidity": {"type": "Property", "value": 87, "unitCode": "P1"},
        "windSpeed": {"type": "Property", "value": 36, "unitCode": "KMH"},
        "atmosphericPressure": {"type": "Property", "value": 1013, "unitCode": "XYZ"},
    }
    async with serving(answering([observed])) as server:
        (entity,) = (await entities(server, SourceQuery("WeatherObserved"),
                                    format="normalized")).entities  # fmt: skip
    assert entity.attributes["temperature"] == 20.0
    assert entity.attributes["relativeHumidity"] == 0.87
    assert entity.attributes["windSpeed"] == 10.0
    assert entity.attributes["atmosphericPressure"] is None  # an unknown unit: left out


async def test_unit_codes_in_history_are_converted() -> None:
    """Defect "Units", in the temporal API (normalized and simplified forms)."""
    body = {"id": "urn:ngsi-ld:WeatherObserved:1", "type": "WeatherObserved",
            "temperature": [{"type": "Property", "value": 50, "unitCode": "FAH",
                             "observedAt": "2026-11-01T10:00:00Z"}],
            "windSpeed": {"type": "Property", "unitCode": "KMH",
                          "values": [[18, "2026-11-01T10:00:00Z"]]}}  # fmt: skip
    async with serving(answering([body])) as server:
        query = HistoryQuery("WeatherObserved", DAY.after, DAY.before)
        (entity,) = (await history(server, query)).entities
    assert [p.value for p in entity.series["temperature"]] == [10.0]
    assert [p.value for p in entity.series["windSpeed"]] == [5.0]


async def test_stellio_is_asked_for_at_most_100() -> None:
    """Defect "Dialects": Stellio caps ``limit`` at 100; a larger page size failed there."""

    async def script(request: web.Request) -> Reply:
        if int(request.query["limit"]) > 100:
            return Reply({"type": "https://uri.etsi.org/ngsi-ld/errors/TooManyResults",
                          "title": "limit over 100"}, status=400)  # fmt: skip
        return Reply([], headers={"NGSILD-Results-Count": "0"})

    async with serving(script) as server:
        result = await entities(server, SourceQuery("BeeHive", limit=500),
                                dialect="stellio", page_size=500)  # fmt: skip
        await history(server, HistoryQuery("BeeHive", DAY.after, DAY.before, limit=500),
                      dialect="stellio", page_size=500)  # fmt: skip
    assert result.entities == []
    assert [q["limit"] for q in server.queries()] == ["100", "100"]


async def test_orion_ld_datetime_literals_are_filtered_here() -> None:
    """Defect "Dialects": Orion-LD stores a DateTime property as ``{"@type": "DateTime",
    "@value": ...}`` and ``q`` compares the stored value, so ``q`` on ``dateObserved``
    matched nothing."""
    stored = [{"id": f"urn:ngsi-ld:WeatherObserved:{n}", "type": "WeatherObserved",
               "dateObserved": {"type": "Property", "value": {
                   "@type": "DateTime", "@value": f"2026-11-01T{10 + n:02d}:00:00Z"}},
               "temperature": {"type": "Property", "value": float(n)}}
              for n in range(4)]  # fmt: skip

    async def script(request: web.Request) -> Reply:
        found = [] if "dateObserved" in request.query.get("q", "") else stored
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        page = found[offset : offset + limit]
        return Reply(page, headers={"NGSILD-Results-Count": str(len(found))})

    query = SourceQuery("WeatherObserved", observed_after=datetime(2026, 11, 1, 11, tzinfo=UTC),
                        observed_before=datetime(2026, 11, 1, 13, tzinfo=UTC))  # fmt: skip
    async with serving(script) as server:
        result = await entities(server, query, dialect="orion-ld", format="normalized",
                                page_size=1)  # fmt: skip
    assert [e.id for e in result.entities] == [
        "urn:ngsi-ld:WeatherObserved:1", "urn:ngsi-ld:WeatherObserved:2"]  # fmt: skip
    assert (result.total_count, result.truncated) == (2, False)
    assert all("q" not in q for q in server.queries())


async def test_diwise_temporal_queries_are_asked_its_way() -> None:
    """Defect "Dialects": diwise's temporal handler reads ``attributes``, not ``attrs``
    (so ``attrs`` asked nothing), pages nothing, counts nothing, and takes no ``options``
    but ``keyValues``. The attributes are asked by ``attributes`` and still picked from
    its answer, which may hold more."""
    outside = {"type": "Property", "value": 3.0, "observedAt": "2026-11-01T10:00:00Z"}
    body = {**NORMALIZED_DATASETS, "humidity": [outside]}
    async with serving(answering([body])) as server:
        result = await history(server, dialect="diwise")
    (asked,) = server.queries()
    assert {"attrs", "limit", "offset", "count", "options"}.isdisjoint(asked)
    assert asked["attributes"] == "temperature"
    assert asked["type"] == "BeeHive"  # never an id-only query
    assert result.truncated is False
    (entity,) = result.entities
    assert list(entity.series) == ["temperature"]
    assert len(entity.series["temperature"]) == 2


async def test_a_next_page_that_loops_is_refused() -> None:
    """A broker whose ``Next-Page`` names the page just read would be asked forever."""

    async def script(request: web.Request) -> Reply:
        hive = {"id": HIVE, "type": "BeeHive", "temperature": []}
        return Reply([hive], headers={"Next-Page": HIVE})

    async with serving(script) as server:
        with pytest.raises(UpstreamProtocolError, match="already read"):
            await history(server, dialect="mintaka")
    assert len(server.requests) == 2


async def test_a_next_link_that_loops_is_refused() -> None:
    """The same for entity pages: a ``Link: rel="next"`` back to a page already read."""

    async def script(request: web.Request) -> Reply:
        hive = {"id": HIVE, "type": "BeeHive"}
        first = "/ngsi-ld/v1/entities?type=BeeHive&limit=1&offset=0"
        return Reply([hive], headers={"Link": f'<{first}>; rel="next"'})

    async with serving(script) as server:
        with pytest.raises(UpstreamProtocolError, match="already read"):
            await entities(server, SourceQuery("BeeHive", limit=5), page_size=1)
    assert len(server.requests) == 2
