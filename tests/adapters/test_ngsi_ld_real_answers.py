"""Answers recorded from real NGSI-LD brokers, replayed over HTTP through the adapter.

Each answer under tests/adapters/real_answers/ (sources and licences in its
ATTRIBUTION.md) is served by a loopback server with the status and headers the
broker sent; the expected common-model values are written down from the payload.
An answer to a single-entity retrieval is served as the one item of a query answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from adapters.contract import (
    AdapterContext,
    Aggregation,
    EntityHistory,
    HistoryQuery,
    HistoryResult,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.transport import content_range
from tests.support.recorded_server import Reply, serving

ANSWERS = Path(__file__).parent / "real_answers"
CORE_LINK = (
    "<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld>; "
    'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def day_of(text: str) -> tuple[datetime, datetime]:
    start = at(text)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Recorded:
    """One recorded answer and how the broker sent it."""

    path: str
    status: int = 200
    content_type: str = "application/json"
    headers: Sequence[tuple[str, str]] = (("Link", CORE_LINK),)
    as_item: bool = False
    """A single-entity answer, served as the one item of a query answer."""

    def reply(self) -> Reply:
        body = orjson.loads((ANSWERS / self.path).read_bytes())
        return Reply([body] if self.as_item else body, status=self.status,
                     headers=list(self.headers), content_type=self.content_type)  # fmt: skip


@dataclass(frozen=True)
class Case:
    """Replay ``answers`` in turn to one query and check what the adapter made of them."""

    name: str
    answers: Sequence[Recorded]
    query: SourceQuery | HistoryQuery
    check: Callable[[Any], None]
    options: dict[str, Any] = field(default_factory=dict)
    asked: Callable[[list[dict[str, str]]], None] | None = None


def series(entity: EntityHistory, name: str) -> list[tuple[datetime, Any]]:
    return [(p.at, p.value) for p in entity.series[name]]


def points(found: Sequence[Any]) -> list[tuple[datetime, Any]]:
    return [(p.at, p.value) for p in found]


def stellio_datasets(result: HistoryResult) -> None:
    (hive,) = result.entities
    assert (hive.id, hive.type) == ("urn:ngsi-ld:BeeHive:TESTC", "BeeHive")
    named = hive.datasets["incoming"]
    hours = {h: at(f"2020-01-24T{h}:01:22.066Z") for h in range(12, 19)}
    assert points(named["urn:ngsi-ld:Dataset:A"]) == [
        (hours[12], 1550),
        (hours[13], 1543),
        (hours[14], 1600),
        (hours[15], 550),
        (hours[16], 500),
    ]
    assert points(named["urn:ngsi-ld:Dataset:B"]) == [
        (hours[12], 1250),
        (hours[13], 1500),
        (hours[14], 1000),
        (hours[17], 50),
        (hours[18], 50),
    ]
    assert points(named["urn:ngsi-ld:Dataset:C"]) == [
        (hours[15], 250),
        (hours[16], 200),
        (hours[17], 25),
        (hours[18], 20),
    ]
    assert hive.series["incoming"] == named["urn:ngsi-ld:Dataset:A"]  # no default: the first


def stellio_two_attributes(result: HistoryResult) -> None:
    (hive,) = result.entities
    thirteen, fourteen = at("2020-01-24T13:01:22.066Z"), at("2020-01-24T14:01:22.066Z")
    assert series(hive, "incoming") == [(thirteen, 1543.0), (fourteen, 1600.0)]
    assert series(hive, "outgoing") == [(thirteen, 133.0), (fourteen, 100.0)]
    assert result.truncated is False


def stellio_normalized(result: HistoryResult) -> None:
    (hive,) = result.entities
    assert hive.id == "urn:ngsi-ld:BeeHive:Temporal:01"
    expected = [(at("2020-01-24T13:01:22.066Z"), 1543), (at("2020-01-24T14:01:22.066Z"), 1600)]
    assert series(hive, "incoming") == expected
    assert series(hive, "outgoing") == expected
    assert hive.datasets == {}


def stellio_multi_instance(result: SourceResult) -> None:
    (hive,) = result.entities
    assert hive.attributes["incoming"] == 1543  # no default instance: the first
    assert hive.datasets == {"incoming": {
        "urn:ngsi-ld:Dataset:01234": 1543, "urn:ngsi-ld:Dataset:45678": 1618}}  # fmt: skip
    assert hive.observed_at == at("2020-01-24T14:08:22.066Z")  # the latest observedAt
    assert hive.location is None


def orion_prop_datasets(result: SourceResult) -> None:
    (entity,) = result.entities
    assert (entity.id, entity.type) == ("urn:ngsi-ld:entities:E1", "T")
    assert entity.attributes == {"prop": "no dataset id"}
    assert entity.datasets == {"prop": {
        "urn:ngsi-ld/dataset:1": "dataset urn:ngsi-ld/dataset:1",
        "urn:ngsi-ld/dataset:2": "dataset urn:ngsi-ld/dataset:2"}}  # fmt: skip


def orion_rel_datasets(result: SourceResult) -> None:
    (entity,) = result.entities
    assert entity.attributes == {"rel": "urn:no_dataset_id"}
    assert entity.datasets == {"rel": {
        "urn:ngsi-ld/dataset:1": "urn:ngsi-ld/dataset:1",
        "urn:ngsi-ld/dataset:2": "urn:ngsi-ld/dataset:2"}}  # fmt: skip


def orion_datetime_literal(result: SourceResult) -> None:
    (entity,) = result.entities
    assert entity.attributes == {"P1": "2018-12-04T12:00:00"}
    assert entity.observed_at == at("2018-12-04T12:00:00Z")  # no zone: UTC


def ids(expected: list[str]) -> Callable[[SourceResult], None]:
    def check(result: SourceResult) -> None:
        assert [e.id for e in result.entities] == expected
        assert all(isinstance(e, SourceEntity) for e in result.entities)

    return check


def orion_unit_code(result: SourceResult) -> None:
    (entity,) = result.entities
    assert entity.attributes["P1"] == 1  # "cm": T.P1 has no model unit, so as it is
    assert entity.observed_at == at("2022-06-03T16:44:07.123Z")


def orion_polygon(result: SourceResult) -> None:
    (entity,) = result.entities
    assert (entity.id, entity.type) == ("urn:ngsi-ld:geo:E1", "Geo")
    assert entity.location is not None  # the mean of the four distinct corners
    assert (entity.location.lat, entity.location.lon) == (-1.0, 2.0)
    assert "location" not in entity.attributes


def scorpio_method(method: str, speed: Any, brand: Any) -> Callable[[HistoryResult], None]:
    def check(result: HistoryResult) -> None:
        (vehicle,) = result.entities
        assert [(p.at, p.value, p.until) for p in vehicle.series["speed"]] == [
            (at("2020-08-01T12:00:00Z"), speed, at("2020-08-01T12:08:00Z"))]  # fmt: skip
        if brand is None:
            assert "brandName" not in vehicle.series
        else:
            assert [p.value for p in vehicle.series["brandName"]] == [brand]

    return check


def diwise_normalized(result: HistoryResult) -> None:
    (vehicle,) = result.entities
    assert series(vehicle, "speed") == [
        (at("2018-08-01T12:03:00Z"), 120), (at("2018-08-01T12:05:00Z"), 80),
        (at("2018-08-01T12:07:00Z"), 100)]  # fmt: skip


def stellio_206_asked(queries: list[dict[str, str]]) -> None:
    assert [q["timeAt"] for q in queries] == ["2020-01-24T00:00:00Z", "2020-01-24T14:01:22.066000Z"]


def diwise_asked(queries: list[dict[str, str]]) -> None:
    (asked,) = queries
    assert {"attrs", "limit", "offset", "count", "options"}.isdisjoint(asked)


STELLIO_DAY = day_of("2020-01-24T00:00:00Z")
STELLIO_206 = (("Content-Range", "date-time 2020-01-24T13:01:22.066Z-2020-01-24T14:01:22.066Z/*"),)
ORION_LD = "application/ld+json"
SCORPIO_DAY = day_of("2020-08-01T00:00:00Z")

CASES = [
    Case("stellio: three datasets, simplified",
         [Recorded("stellio/beehive_simplified_incoming_datasetid.jsonld", as_item=True)],
         HistoryQuery("BeeHive", *STELLIO_DAY), stellio_datasets, {"dialect": "stellio"}),
    Case("stellio: two attributes, simplified",
         [Recorded("stellio/beehive_with_two_temporal_attributes_evolution_temporal_values.jsonld",
                   as_item=True)],
         HistoryQuery("BeeHive", *STELLIO_DAY), stellio_two_attributes, {"dialect": "stellio"}),
    Case("stellio: 206 then the rest of the window, each point once",
         [Recorded("stellio/beehive_with_two_temporal_attributes_evolution_temporal_values.jsonld",
                   as_item=True, status=206, headers=STELLIO_206),
          Recorded("stellio/beehive_with_two_temporal_attributes_evolution_temporal_values.jsonld",
                   as_item=True)],
         HistoryQuery("BeeHive", *STELLIO_DAY), stellio_two_attributes, {"dialect": "stellio"},
         asked=stellio_206_asked),
    Case("stellio: normalized temporal instances",
         [Recorded("stellio/beehive_with_two_temporal_attributes_evolution.jsonld", as_item=True)],
         HistoryQuery("BeeHive", *STELLIO_DAY), stellio_normalized, {"dialect": "stellio"}),
    Case("stellio: a multi-instance property",
         [Recorded("stellio/beehive_multi_instance_property.jsonld", as_item=True)],
         SourceQuery("BeeHive"), stellio_multi_instance,
         {"dialect": "stellio", "format": "normalized"}),
    Case("orion-ld: three instances of a property",
         [Recorded("orion-ld/datasetId_entity_retrieval_02.json", as_item=True)],
         SourceQuery("T"), orion_prop_datasets, {"dialect": "orion-ld", "format": "normalized"}),
    Case("orion-ld: three instances of a relationship",
         [Recorded("orion-ld/datasetId_entity_retrieval_06.json", as_item=True)],
         SourceQuery("T"), orion_rel_datasets, {"dialect": "orion-ld", "format": "normalized"}),
    Case("orion-ld: a DateTime typed literal",
         [Recorded("orion-ld/entity_creation_one_property_DateTime_03.json", as_item=True)],
         SourceQuery("T"), orion_datetime_literal,
         {"dialect": "orion-ld", "format": "normalized", "time_property": "P1"}),
    Case("orion-ld: a time window applied here, not by q",
         [Recorded("orion-ld/query-with-q-DateTime_attr_greater_than_or_equal_05.json",
                   content_type=ORION_LD)],
         SourceQuery("T", observed_after=at("2018-11-22T00:00:00Z")),
         ids(["http://a.b.c/entity/E3"]),
         {"dialect": "orion-ld", "format": "normalized", "time_property": "A"}),
    Case("orion-ld: observedAt and unitCode",
         [Recorded("orion-ld/query-with-observedAt-and-unitCode_02.json")],
         SourceQuery("T"), orion_unit_code, {"dialect": "orion-ld", "format": "normalized"}),
    Case("orion-ld: a Polygon location",
         [Recorded("orion-ld/query-with-geo-polygon_03.json")],
         SourceQuery("Geo"), orion_polygon, {"dialect": "orion-ld", "format": "normalized"}),
    Case("scorpio: every method answered, avg read",
         [Recorded("scorpio/aggregation-support_query_response.json")],
         HistoryQuery("Vehicle", *SCORPIO_DAY, aggregation=Aggregation("avg", 480)),
         scorpio_method("avg", 94.44444444444444, None),
         {"dialect": "scorpio", "temporal": {"aggregation": True}}),
    Case("scorpio: every method answered, max read",
         [Recorded("scorpio/aggregation-support_query_response.json")],
         HistoryQuery("Vehicle", *SCORPIO_DAY, aggregation=Aggregation("max", 480)),
         scorpio_method("max", 95, "Mercedes"),
         {"dialect": "scorpio", "temporal": {"aggregation": True}}),
    Case("diwise: a normalized temporal entity, asked for its way",
         [Recorded("diwise/temporalEvolutionOfEntity.json", as_item=True,
                   content_type="application/ld+json", headers=())],
         HistoryQuery("Vehicle", *day_of("2018-08-01T00:00:00Z"), attrs=("speed",)),
         diwise_normalized, {"dialect": "diwise"}, asked=diwise_asked),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_recorded_answer_maps_to_what_it_says(case: Case) -> None:
    replies = [a.reply() for a in case.answers]

    async def script(request: web.Request) -> Reply:
        return replies[min(len(server.requests), len(replies)) - 1]

    async with serving(script) as server:
        adapter = NgsiLdAdapter({"url": server.url, **case.options},
                                AdapterContext("corpus", logging.getLogger("test")))  # fmt: skip
        try:
            if isinstance(case.query, HistoryQuery):
                result: Any = await adapter.fetch_history(case.query)
            else:
                result = await adapter.fetch_entities(case.query)
        finally:
            await adapter.aclose()
    case.check(result)
    assert len(server.requests) == len(replies)
    if case.asked is not None:
        case.asked(server.queries())


DISCOVERY_ANSWERS = {
    "orion-ld/entity_types_details_08.json",
    "orion-ld/entity_type_info_06.json",
    "orion-ld/attributes_details_07.json",
}
"""Replayed by test_ngsi_ld_discovery.py; citysim's answers are checked against them
(tests/citysim/test_ngsi_ld_discovery_shape.py)."""


def test_every_recorded_answer_is_used_and_attributed() -> None:
    files = {str(p.relative_to(ANSWERS)) for p in ANSWERS.rglob("*.json*")}
    used = {a.path for c in CASES for a in c.answers} | {"mintaka/content_ranges.json"}
    used |= DISCOVERY_ANSWERS
    used |= {f for f in files if Path(f).name.startswith("notification_")}  # replayed by
    # test_ngsi_ld_real_notifications.py, which checks it uses each of them
    assert files == used
    attribution = (ANSWERS / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert all(Path(f).name in attribution for f in files)


def test_mintaka_content_ranges_read_as_utc() -> None:
    """Mintaka writes its range as a UTC ``LocalDateTime`` to the minute, without a zone."""
    recorded = orjson.loads((ANSWERS / "mintaka/content_ranges.json").read_bytes())
    (first,) = recorded
    assert content_range(first["header"]) == (at("1970-01-01T00:00Z"), at("1970-01-01T00:49Z"))
    # RetrievalTest.getRangeHeader: after lastN the newest comes first; the order is restored
    assert content_range("date-time 1970-01-01T00:49-1970-01-01T00:00/10") == (
        at("1970-01-01T00:00Z"), at("1970-01-01T00:49Z"))  # fmt: skip
    # diwise's temporal.go: "DateTime %s-%s/*" with RFC 3339 UTC times
    assert content_range("DateTime 2018-08-01T12:03:00Z-2018-08-01T12:07:00Z/*") == (
        at("2018-08-01T12:03:00Z"), at("2018-08-01T12:07:00Z"))  # fmt: skip
