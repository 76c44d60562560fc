"""Limits on a document before it is validated: gateway/graphql/limits/shape.py and document.py,
through ``Executor.prepare`` (which caches what they decide)."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query, parse

from gateway.federation.guards import QueryLimits
from gateway.graphql.execution import Executor
from gateway.graphql.limits.shape import measure
from gateway.graphql.schema import build_schema

EXECUTOR = Executor(build_schema()._schema)
LIMITS = QueryLimits()
INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def refusal(source: str, *, limits: QueryLimits = LIMITS, restricted: bool = False) -> set[str]:
    """The limits (or codes) that refuse ``source``; empty when it is accepted."""
    prepared = EXECUTOR.prepare(source, limits, restricted)
    found = set()
    for error in prepared.errors:
        extensions = error.extensions or {}
        found.add(str(extensions.get("limit") or extensions.get("code") or "invalid"))
    return found


def test_a_shape_counts_fragments_as_expanded_but_measures_each_once() -> None:
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    document = parse(f"query {{ ...F0 }} {fragments} fragment F60 on Query {{ cities {{ id }} }}")
    shape = measure(document)  # 2**60 root fields: only a walk that measures each once ends
    assert shape.fields == 2 * 2**60
    assert shape.root_fields == 2**60
    assert shape.depth == 2


def test_the_shape_of_a_plain_query() -> None:
    shape = measure(parse("query @a { x: cities { id @b n: name } viewer { scopes } __typename }"))
    assert (shape.depth, shape.aliases, shape.directives, shape.fields, shape.root_fields) == (
        2,
        2,
        2,
        6,
        3,
    )
    assert not shape.introspection


def test_graphiqls_introspection_fits_the_default_limits() -> None:
    shape = measure(parse(INTROSPECTION))
    assert shape.introspection
    assert shape.depth == 0
    assert shape.introspection_depth == LIMITS.introspection_depth
    assert refusal(INTROSPECTION) == set()


@pytest.mark.parametrize(
    ("source", "limit"),
    [
        ("{ " + " ".join(f"a{i}: viewer {{ anonymous }}" for i in range(16)) + " }", "aliases"),
        ("{ cities @skip(if: false) " + "@include(if: true) " * 20 + "{ id } }", "directives"),
        ("{ viewer { " + "anonymous " * 501 + "} }", "fields"),
        ("{ " + "viewer { anonymous } " * 21 + "}", "root_fields"),
        ("{ cities { " + "id " * 2100 + "} }", "tokens"),
        ("{ cities { id } }" + " " * 15_001, "characters"),
    ],
)
def test_each_count_has_its_limit(source: str, limit: str) -> None:
    assert refusal(source) == {limit}


def test_depth_counts_through_fragments() -> None:
    assert refusal("{ " + "a: cities { " * 8 + "id" + " }" * 8 + " }") == {"depth"}
    assert measure(parse("{ " + "a: cities { " * 7 + "id" + " }" * 7 + " }")).depth == 8
    spread = "query { ...F } fragment F on Query { cities { ...G } } fragment G on City { " + (
        "platform { kind } id }"
    )
    assert refusal(spread) == set()
    assert refusal(spread, limits=QueryLimits(depth=2)) == {"depth"}


def test_deep_introspection_is_refused() -> None:
    chain = "ofType { " * 20 + "name" + " }" * 20
    assert refusal(f'{{ __type(name: "City") {{ {chain} }} }}') == {"introspection_depth"}
    lists = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert refusal(lists) == {"introspection_depth"}


def test_introspection_is_off_for_restricted_callers() -> None:
    assert refusal("{ __schema { queryType { name } } }", restricted=True) == {"UNAUTHENTICATED"}
    assert refusal('{ __type(name: "City") { name } }', restricted=True) == {"UNAUTHENTICATED"}
    assert refusal("{ __typename cities { __typename } }", restricted=True) == set()
    assert refusal("{ __schema { queryType { name } } }", restricted=False) == set()


def test_field_suggestions_are_off_for_restricted_callers() -> None:
    open_ = EXECUTOR.prepare("{ citie { id } }", LIMITS, False).errors[0].message
    closed = EXECUTOR.prepare("{ citie { id } }", LIMITS, True).errors[0].message
    assert "Did you mean" in open_
    assert "Did you mean" not in closed


def test_a_fragment_cycle_is_refused_before_validation() -> None:
    source = (
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A cities { id } }"
    )
    prepared = EXECUTOR.prepare(source, LIMITS)
    assert [e.message for e in prepared.errors] == ["fragment cycle: A -> B -> A"]
    assert prepared.errors[0].extensions == {"code": "BAD_USER_INPUT"}


def test_refusals_say_what_and_how_much() -> None:
    source = "{ " + " ".join(f"a{i}: viewer {{ anonymous }}" for i in range(16)) + " }"
    error = EXECUTOR.prepare(source, LIMITS).errors[0]
    assert error.message == "aliases: 16 is more than the limit of 15"
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX", "limit": "aliases"}


def test_a_very_deep_document_costs_no_more_than_a_shallow_one() -> None:
    source = "{ " + "a: cities { " * 300 + "id" + " }" * 300 + " }"
    assert refusal(source) in ({"depth"}, {"tokens"})  # refused, no RecursionError


def test_prepared_documents_are_cached_per_limits_and_caller_kind() -> None:
    executor = Executor(build_schema()._schema)
    first = executor.prepare("{ cities { id } }", LIMITS)
    assert executor.prepare("{ cities { id } }", LIMITS) is first
    assert executor.prepare("{ cities { id } }", LIMITS, True) is not first
    assert executor.prepare("{ cities { id } }", QueryLimits(depth=3)) is not first


async def test_coercion_suggestions_are_off_for_restricted_callers() -> None:
    document = parse(
        'query($g: StatisticsGroupBy!) { statistics(type: "X", attribute: "t", groupBy: $g) '
        "{ type } }"
    )
    shown = await EXECUTOR.execute(document, {"g": "CITI"}, None, None)
    hidden = await EXECUTOR.execute(document, {"g": "CITI"}, None, None, hide_suggestions=True)
    assert "Did you mean" in (shown.errors or [])[0].message
    assert "Did you mean" not in (hidden.errors or [])[0].message
