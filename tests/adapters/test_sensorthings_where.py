"""``where`` -> SensorThings ``$filter`` on Things: what is pushed, what is not (ADR 0018)."""

from __future__ import annotations

import pytest

from adapters.contract import Comparison, Condition
from adapters.sensorthings.config import TypeMapping
from adapters.sensorthings.where import where_clauses

C = Comparison
AIR = TypeMapping(
    properties={"PM2.5": "pm25", "Temperature": "temperature", "NO2": "no2", "Level": "level"},
    units={"Temperature": "Cel", "NO2": "ppb"},
    thing_properties={"station": "name"},
)


@pytest.mark.parametrize(
    ("condition", "clause"),
    [
        (Condition("level", C.GT, 2), "Datastreams/Observations/result gt 2"),
        (Condition("level", C.LTE, 1e-7), "Datastreams/Observations/result le 0.0000001"),
        (Condition("level", C.NE, 3), "Datastreams/Observations/result ne 3"),
        (
            Condition("level", C.IN, [1, 2.5]),
            "Datastreams/Observations/result eq 1 or Datastreams/Observations/result eq 2.5",
        ),
        (Condition("temperature", C.GTE, -5), "Datastreams/Observations/result ge -5"),
    ],
)
def test_numbers_read_as_they_are_are_pushed(condition: Condition, clause: str) -> None:
    assert where_clauses([condition], "AirQualityObserved", AIR) == [clause]


@pytest.mark.parametrize(
    "condition",
    [
        Condition("pm25", C.GT, 25),  # the Datastream's own unit may need converting
        Condition("no2", C.GT, 25),  # configured in ppb, the model has another unit
        Condition("name", C.EQ, 1),  # a Thing property, not an Observation
        Condition("nowhere", C.EQ, 1),
        Condition("level", C.EQ, "high"),
        Condition("level", C.EQ, True),
        Condition("level", C.IN, [1, "a"]),
        Condition("level", C.EXISTS, True),
        Condition("level", C.CONTAINS, "a"),
    ],
)
def test_the_rest_stays_with_the_adapter(condition: Condition) -> None:
    assert where_clauses([condition], "AirQualityObserved", AIR) == []
