"""A history's dataset series get the redaction its default series gets (ADR 0010)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from adapters.contract import EntityHistory, GeoPoint, HistoryPoint
from gateway.federation.model import Rules
from gateway.policy.dataset_redaction import by_dataset, redact_with_datasets
from gateway.policy.grid import coarsen
from gateway.query.history import MAX_LAST_N, _redact

T0 = datetime(2026, 11, 1, tzinfo=UTC)
SHADE, SUN = "urn:ngsi-ld:Dataset:shade", "urn:ngsi-ld:Dataset:sun"


def points(*values: float) -> list[HistoryPoint]:
    return [HistoryPoint(T0, v) for v in values]


HIVE = EntityHistory(
    "urn:ngsi-ld:Beehive:1",
    "Beehive",
    {"temperature": points(30.0), "humidity": points(60.0)},
    {"temperature": {SHADE: points(20.0), SUN: points(25.0)}, "humidity": {SHADE: points(70.0)}},
)


def test_a_hidden_attributes_datasets_are_hidden_too() -> None:
    shown = _redact(HIVE, Rules(drop=frozenset({"humidity"})))
    assert shown.series == {"temperature": points(30.0)}
    assert shown.datasets == {"temperature": {SHADE: points(20.0), SUN: points(25.0)}}
    kept = _redact(HIVE, Rules(keep=frozenset({"humidity"})))
    assert (kept.series, kept.datasets) == (
        {"humidity": points(60.0)},
        {"humidity": {SHADE: points(70.0)}},
    )


def test_full_access_shows_every_dataset() -> None:
    assert _redact(HIVE, None) == HIVE


def test_each_dataset_gets_what_the_default_series_gets() -> None:
    def halve(entity: EntityHistory) -> EntityHistory:  # stands for any value rule (coarsening)
        series = {k: [replace(p, value=p.value / 2) for p in v] for k, v in entity.series.items()}
        return replace(entity, series=series)

    shown = redact_with_datasets(HIVE, halve)
    assert shown.series == {"temperature": points(15.0), "humidity": points(30.0)}
    assert shown.datasets == {
        "temperature": {SHADE: points(10.0), SUN: points(12.5)},
        "humidity": {SHADE: points(35.0)},
    }


def test_datasets_are_grouped_by_dataset_id() -> None:
    assert by_dataset(HIVE.datasets) == {
        SHADE: {"temperature": points(20.0), "humidity": points(70.0)},
        SUN: {"temperature": points(25.0)},
    }


def test_a_datasets_series_is_cut_to_what_the_cost_prices_as_the_default_is() -> None:
    long = [HistoryPoint(T0, float(i)) for i in range(MAX_LAST_N + 5)]
    entity = EntityHistory("e", "Beehive", {"temperature": long}, {"temperature": {SUN: long}})
    for rules in (None, Rules(drop=frozenset({"humidity"}))):
        shown = _redact(entity, rules)
        assert shown.series["temperature"] == long[-MAX_LAST_N:]
        assert shown.datasets["temperature"][SUN] == long[-MAX_LAST_N:]


def test_a_location_dataset_is_coarsened_as_the_default_location_is() -> None:
    true = GeoPoint(55.60587, 13.00073)
    where = {"type": "Point", "coordinates": [true.lon, true.lat]}
    entity = EntityHistory(
        "bus", "Vehicle", {"location": [HistoryPoint(T0, where)]},
        {"location": {SUN: [HistoryPoint(T0, where)], SHADE: [HistoryPoint(T0, "a square")]}},
    )  # fmt: skip
    shown = _redact(entity, Rules(coarsen_m=500.0))
    cell = coarsen(true, 500.0)
    coarse = [HistoryPoint(T0, {"type": "Point", "coordinates": [cell.lon, cell.lat]})]
    assert shown.series == {"location": coarse}
    assert shown.datasets == {"location": {SUN: coarse}}  # a place in words cannot be coarsened
