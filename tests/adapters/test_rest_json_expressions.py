"""Field expressions and templates of the rest-json mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.rest_json.expressions import ExpressionError, compile_field

ITEM: dict[str, Any] = {
    "id": "malmo-0001",
    "wind": {"speed": 36.0, "direction": 270},
    "location": {"type": "Point", "coordinates": [13.0, 55.6]},
    "when": "2026-11-25T10:00:00Z",
    "local": "2026-11-25T11:00:00+01:00",
    "naive": "2026-11-25T10:00:00",
    "epoch": 1_795_600_800,
    "comma": "75,5",
    "tags": ["a", "b"],
    "odd key": 7,
    "flag": True,
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("id", "malmo-0001"),
        ("wind.speed", 36.0),
        ("wind.speed | scale(0.2777778) | round(1)", 10.0),
        ("wind.direction | add(-90)", 180),
        ("location.coordinates[1]", 55.6),
        ("location.coordinates[-2]", 13.0),
        ("location.coordinates[5]", None),
        ('["odd key"]', 7),
        ("['odd key'] | string", "7"),
        ("missing", None),
        ("missing.deeper[0]", None),
        ("missing | default(0)", 0),
        ("comma | number | scale(0.01)", 0.755),
        ("id | upper", "MALMO-0001"),
        ("tags | first", "a"),
        ("tags | last", "b"),
        ("flag | boolean", True),
        ("id | number", None),
        ("'fixed | text'", "fixed | text"),
        ("42", 42),
        ("$", ITEM),
        ("urn:ngsi-ld:WeatherObserved:{id}", "urn:ngsi-ld:WeatherObserved:malmo-0001"),
        ("{wind.direction}/{wind.speed | integer}", "270/36"),
        ("x-{missing}", None),
    ],
)
def test_expressions_read_items(source: str, expected: Any) -> None:
    assert compile_field(source).evaluate(ITEM) == expected


TIMES = ["when | datetime", "local | datetime", "naive | datetime", "epoch | epoch_s"]


@pytest.mark.parametrize("source", [*TIMES, "epoch | scale(1000) | epoch_ms"])
def test_times_become_aware_utc(source: str) -> None:
    assert compile_field(source).evaluate(ITEM) == datetime(2026, 11, 25, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"),
        ("a | nope", "unknown filter 'nope'"),
        ("a | scale", "needs an argument"),
        ("a | scale('x')", "needs a number"),
        ("a | upper(1)", "takes no argument"),
        ("a | round(b)", "is not a literal"),
        ("a..b", "cannot read the path"),
        ("'open", "unterminated quote"),
        ("x-{a", "unbalanced braces"),
    ],
)
def test_bad_expressions_are_refused_when_compiled(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_field(source)


def test_filters_that_do_not_fit_give_null_not_an_error() -> None:
    assert compile_field("location | scale(2)").evaluate(ITEM) is None
    assert compile_field("id | datetime").evaluate(ITEM) is None
    assert compile_field("wind | first").evaluate(ITEM) is None
