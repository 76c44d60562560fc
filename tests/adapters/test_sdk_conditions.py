"""What a where condition means (adapters.sdk.conditions), as the Comparison docstrings say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.contract import Comparison, Condition, JSONValue, SourceEntity, SourceQuery
from adapters.sdk.conditions import holds
from adapters.sdk.local import matches

C = Comparison
ATTRS: dict[str, JSONValue] = {
    "pm25": 25,
    "temperature": -1.5,
    "name": "Stora Torget",
    "open": True,
    "nothing": None,
    "tags": ["a", "b"],
    "when": "2026-12-04T10:00:00Z",
}


@pytest.mark.parametrize(
    ("attribute", "op", "value", "expected"),
    [
        ("pm25", C.EQ, 25.0, True),  # numbers as numbers
        ("pm25", C.EQ, "25", False),  # kinds never mix
        ("open", C.EQ, True, True),
        ("open", C.EQ, 1, False),  # a bool is not a number
        ("pm25", C.EQ, True, False),
        ("pm25", C.NE, 24, True),
        ("pm25", C.NE, "x", False),  # mismatched kinds never match, NE too
        ("absent", C.NE, 1, False),
        ("nothing", C.NE, 1, False),
        ("pm25", C.GT, 24.9, True),
        ("pm25", C.GT, 25, False),
        ("pm25", C.GTE, 25, True),
        ("temperature", C.LT, 0, True),
        ("temperature", C.LTE, -1.5, True),
        ("name", C.GT, "Stora", True),  # strings with strings
        ("name", C.GT, 1, False),
        ("open", C.GT, False, False),  # booleans are not ordered
        ("when", C.GTE, "2026-12-04T09:00:00Z", True),
        ("pm25", C.IN, [1, 25.0], True),
        ("pm25", C.IN, ["25"], False),
        ("pm25", C.IN, 25, False),
        ("pm25", C.EXISTS, True, True),
        ("pm25", C.EXISTS, False, False),
        ("nothing", C.EXISTS, True, False),
        ("nothing", C.EXISTS, False, True),
        ("absent", C.EXISTS, False, True),
        ("name", C.CONTAINS, "TORG", True),
        ("name", C.CONTAINS, "malmö", False),
        ("pm25", C.CONTAINS, "2", False),
        ("tags", C.EQ, ["a", "b"], False),  # lists never compare
        ("tags", C.CONTAINS, "a", False),
        ("absent", C.EQ, None, False),
    ],
)
def test_a_condition_holds_as_documented(
    attribute: str, op: Comparison, value: JSONValue, expected: bool
) -> None:
    assert holds(Condition(attribute, op, value), ATTRS) is expected


def test_not_a_number_never_matches() -> None:
    assert not holds(Condition("x", C.NE, 1), {"x": float("nan")})
    assert not holds(Condition("x", C.LT, 1), {"x": float("-inf")})


def test_the_sdk_filter_applies_every_condition_and_together() -> None:
    entity = SourceEntity("a", "T", None, datetime(2026, 1, 1, tzinfo=UTC), dict(ATTRS))
    both = (Condition("pm25", C.GT, 20), Condition("open", C.EQ, True))
    assert matches(entity, SourceQuery("T", where=both))
    assert not matches(entity, SourceQuery("T", where=(*both, Condition("pm25", C.LT, 25))))
