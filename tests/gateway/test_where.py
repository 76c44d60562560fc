"""A caller's where: checked and bounded, with errors that name the path (ADR 0018)."""

from __future__ import annotations

import pytest

from adapters.contract import Comparison, Condition, JSONValue
from gateway.errors import BadUserInput
from gateway.query.where import MAX_CONDITIONS, MAX_IN_VALUES, MAX_STRING_LENGTH, check_where

C = Comparison


def test_good_conditions_come_back_as_conditions() -> None:
    got = check_where([("pm25", C.GT, 25), ("name", C.IN, ["a", 1, True]), ("x", C.EXISTS, False)])
    assert got == (
        Condition("pm25", C.GT, 25),
        Condition("name", C.IN, ["a", 1, True]),
        Condition("x", C.EXISTS, False),
    )
    assert check_where(None) == ()


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ([("a", C.EQ, 1), ("b", C.IN, 3)], "where[1].value: IN needs a list"),
        ([("a", C.IN, [])], "where[0].value: IN needs a list"),
        ([("a", C.IN, [1, None])], "where[0].value[1]: IN needs a string, a number or a boolean"),
        ([("a", C.IN, list(range(MAX_IN_VALUES + 1)))], f"at most {MAX_IN_VALUES}"),
        ([("a", C.EQ, None)], "where[0].value: EQ needs a string, a number or a boolean, not null"),
        ([("a", C.GT, True)], "where[0].value: GT needs a number or a string"),
        ([("a", C.LT, [1])], "where[0].value: LT needs a string, a number or a boolean"),
        ([("a", C.EXISTS, "yes")], "where[0].value: EXISTS needs true or false"),
        ([("a", C.CONTAINS, 3)], "where[0].value: CONTAINS needs a non-empty string"),
        ([("a", C.CONTAINS, "")], "where[0].value: CONTAINS needs a non-empty string"),
        ([("a", C.EQ, "x" * (MAX_STRING_LENGTH + 1))], f"at most {MAX_STRING_LENGTH} characters"),
        ([("a", C.EQ, 2**60)], "integers are limited"),
        ([("a", C.EQ, float("inf"))], "not a finite number"),
        ([("a", C.EQ, {"b": 1})], "not an object"),
        ([("1a", C.EQ, 1)], "where[0].attribute: not an attribute name"),
        ([("a b", C.EQ, 1)], "where[0].attribute: not an attribute name"),
        ([("location", C.EXISTS, True)], "where[0].attribute: location is not an attribute"),
        ([("id", C.EQ, "x")], "where[0].attribute: id is not an attribute"),
        ([("a", C.EQ, 1)] * (MAX_CONDITIONS + 1), f"at most {MAX_CONDITIONS} are allowed"),
    ],
)
def test_bad_conditions_are_refused_naming_the_path(
    conditions: list[tuple[str, Comparison, JSONValue]], message: str
) -> None:
    with pytest.raises(BadUserInput) as raised:
        check_where(conditions)
    assert message in str(raised.value)
