"""The fast path for large lists gives exactly what graphql-core's own path gives."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, GraphQLObjectType, execute, parse
from graphql.execution import Executor

from gateway.graphql.fast_lists import MIN_ITEMS, FastListExecutor
from gateway.graphql.schema import build_schema
from gateway.ops.metrics import Metrics


@strawberry.enum
class Kind(enum.Enum):
    SENSOR = "sensor"
    STATION = "station"


@strawberry.type
class Point:
    lat: float
    lon: float


@strawberry.type
class Item:
    id: strawberry.ID
    name: str | None
    kind: Kind
    at: datetime
    point: Point
    label: str

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()


def items(count: int, *, broken: int | None = None) -> list[Item]:
    made = []
    for i in range(count):
        label: Any = None if i == broken else f"item {i}"
        made.append(
            Item(
                id=strawberry.ID(str(i)),
                name=None if i % 3 == 0 else f"n{i}",
                kind=Kind.SENSOR if i % 2 else Kind.STATION,
                at=datetime(2026, 1, 1, 12, i % 60, tzinfo=UTC),
                point=Point(lat=55.0 + i / 100, lon=13.0),
                label=label,
            )
        )
    return made


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int, broken: int | None = None) -> list[Item]:
        return items(count, broken=broken)


SCHEMA = strawberry.Schema(query=Query)._schema


class Counting(FastListExecutor):
    """Counts the lists that could not take the fast path."""

    slow = 0

    def _item_plan(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._item_plan(*args, **kwargs)
        except Exception:
            Counting.slow += 1
            raise


def run(source: str, executor: type[Executor[Any]], **variables: Any) -> ExecutionResult:
    result = execute(SCHEMA, parse(source), variable_values=variables, executor_class=executor)
    assert isinstance(result, ExecutionResult)
    return result


def same(source: str, **variables: Any) -> ExecutionResult:
    fast = run(source, FastListExecutor, **variables)
    slow = run(source, Executor, **variables)
    assert fast.data == slow.data
    assert [e.formatted for e in fast.errors or ()] == [e.formatted for e in slow.errors or ()]
    return fast


@pytest.mark.parametrize(
    "source",
    [
        "{ items(count: 50) { id name kind at point { lat lon } label } }",
        "{ items(count: 50) { __typename a: id b: id point { __typename x: lat } } }",
        "query($skip: Boolean!) { items(count: 50) { id name @skip(if: $skip) } }",
        "{ items(count: 50) { ...F ... on Item { kind } } } fragment F on Item { id at }",
    ],
)
def test_plain_items_take_the_fast_path_with_the_same_result(source: str) -> None:
    Counting.slow = 0
    result = same(source, skip=True)
    assert result.errors is None
    assert run(source, Counting, skip=True).data == result.data
    assert Counting.slow == 0


def test_a_field_with_a_resolver_takes_the_ordinary_path() -> None:
    Counting.slow = 0
    source = "{ items(count: 50) { id shout } }"
    assert same(source).errors is None
    run(source, Counting)
    assert Counting.slow == 1


def test_a_null_in_a_non_null_field_is_reported_as_usual() -> None:
    result = same("{ items(count: 50, broken: 7) { id label } }")
    assert result.errors is not None
    assert result.errors[0].path == ["items", 7, "label"]


def test_short_lists_take_the_ordinary_path() -> None:
    Counting.slow = 0
    assert same(f"{{ items(count: {MIN_ITEMS - 1}) {{ id }} }}").errors is None
    run(f"{{ items(count: {MIN_ITEMS - 1}) {{ id }} }}", Counting)
    assert Counting.slow == 0  # no plan was even tried


RESOLVED_BELOW_QUERY = ["City.types"]
"""Fields below Query with a resolver: ``City.types`` asks the city's platform for this
caller (ADR 0020). A list selecting it takes graphql-core's own path (fast_lists.py)."""


def test_every_field_below_query_is_a_plain_attribute() -> None:
    """Leaf resolvers stay synchronous attribute reads: the fast path relies on it."""
    schema = build_schema()._schema
    resolved = [
        f"{name}.{field_name}"
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and name not in ("Query", "Subscription")
        for field_name, field in type_.fields.items()
        if not getattr(field.resolve, "_is_default", False)
    ]
    assert resolved == RESOLVED_BELOW_QUERY


class Broken(FastListExecutor):
    """A fast path with a bug in it."""

    def _item_plan(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the plan")


def test_a_bug_in_the_fast_path_is_logged_counted_and_answered_the_ordinary_way(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    source = "{ items(count: 3) { id } }"
    result = execute(
        SCHEMA,
        parse(source),
        executor_class=Broken,
        context_value=SimpleNamespace(metrics=metrics),
    )
    assert isinstance(result, ExecutionResult)
    assert result.data == run(source, Executor).data
    assert result.errors is None
    assert "a bug in the plan" in caplog.text
    assert (
        metrics.registry.get_sample_value("caap_internal_errors_total", {"where": "fast_lists"})
        == 1
    )
