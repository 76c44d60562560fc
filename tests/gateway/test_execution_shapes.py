"""A document whose literals differ from an accepted one's is validated by the value
rules only, and gets exactly the errors a full validation gives."""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.graphql.execution import VALUE_RULES, Executor, shape_of
from gateway.graphql.schema import build_schema

SCHEMA = build_schema()._schema

ACCEPTED = """
query Q($t: DateTime) {
  a: entities(type: "WeatherObserved", first: 5, filter: {observedAfter: $t}) { totalCount }
  b: entities(type: "WeatherObserved", first: 5) { nodes { id } }
}
"""
SAME_SHAPE = [
    # other values, valid
    ACCEPTED.replace("first: 5", "first: 7"),
    ACCEPTED.replace('"WeatherObserved"', '"AirQualityObserved"'),
    # a value an Int cannot hold
    ACCEPTED.replace("first: 5)", "first: 99999999999)"),
    # a comment changes nothing
    ACCEPTED.replace("query Q", '# a comment with a " quote\nquery Q'),
]
CONFLICTS = [
    '{ a: entities(type: "WeatherObserved", first: 1) { totalCount } '
    'a: entities(type: "WeatherObserved", first: 1) { totalCount } }',
    '{ a: entities(type: "WeatherObserved", first: 1) { totalCount } '
    'a: entities(type: "WeatherObserved", first: 2) { totalCount } }',
    '{ a: entities(type: "WeatherObserved", first: 1) { totalCount } '
    'a: entities(type: "AirQualityObserved", first: 1) { totalCount } }',
]


def errors(executor: Executor, source: str, restricted: bool = False) -> list[object]:
    return [e.formatted for e in executor.prepare(source, restricted=restricted).errors]


@pytest.mark.parametrize("restricted", [False, True])
def test_a_known_shape_gets_the_errors_of_a_full_validation(restricted: bool) -> None:
    warm = Executor(SCHEMA)
    assert errors(warm, ACCEPTED, restricted) == []
    for source in SAME_SHAPE:
        assert shape_of(parse(source)) == shape_of(parse(ACCEPTED))
        assert errors(warm, source, restricted) == errors(Executor(SCHEMA), source, restricted)
    assert errors(warm, SAME_SHAPE[2], restricted) != []  # too large an Int: reported


def test_fields_that_can_no_longer_be_merged_are_refused() -> None:
    warm = Executor(SCHEMA)
    assert errors(warm, CONFLICTS[0]) == []
    for source in CONFLICTS[1:]:
        found = errors(warm, source)
        assert found == errors(Executor(SCHEMA), source)
        assert found
        assert "conflict" in str(found[0])


def test_a_shape_is_not_taken_for_another() -> None:
    one = shape_of(parse('{ entities(type: "X") { totalCount } }'))
    assert one == shape_of(parse('{ entities(type: "Y") { totalCount } }'))
    assert one != shape_of(parse("{ entities(type: X) { totalCount } }"))  # an enum, not text
    assert one != shape_of(parse('{ entities(type: """X""") { totalCount } }'))
    assert one != shape_of(parse('{ entities(type: "X", first: 1) { totalCount } }'))
    assert one != shape_of(parse('{ entities(type: "X") { pageInfo { hasNextPage } } }'))


def test_only_the_rules_that_read_values_run_again() -> None:
    names = {rule.__name__ for rule in VALUE_RULES}
    assert "ValuesOfCorrectTypeRule" in names
    assert "OverlappingFieldsCanBeMergedRule" in names
    assert "FieldsOnCorrectTypeRule" not in names
