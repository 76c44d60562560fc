"""Typed ``where`` inputs: one filter input per field type, and their conversion into Conditions.

A model's ``where`` (generated: ``WeatherObservedWhere``...) has one optional filter per
scalar attribute; every comparison given must hold (AND). ``conditions`` turns it into
``adapters.contract.Condition`` values on the Smart Data Models attribute names, which
``EntityRequest.where`` carries to the cities like the generic ``entities(where:)``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime

import strawberry
from strawberry.utils.str_converters import to_camel_case

from adapters.contract import Comparison, Condition, JSONValue
from gateway.errors import BadUserInput
from gateway.query.where import MAX_CONDITIONS, check_value

EXISTS = "True: the attribute is present (not null); false: it is absent."
IN = "Equal to one of these."


@strawberry.input(description="Comparisons with a number attribute; every one given must hold.")
class FloatFilter:
    eq: float | None = None
    ne: float | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    in_: list[float] | None = strawberry.field(name="in", default=None, description=IN)
    exists: bool | None = strawberry.field(default=None, description=EXISTS)


@strawberry.input(description="Comparisons with an integer attribute; every one given must hold.")
class IntFilter:
    eq: int | None = None
    ne: int | None = None
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None
    in_: list[int] | None = strawberry.field(name="in", default=None, description=IN)
    exists: bool | None = strawberry.field(default=None, description=EXISTS)


@strawberry.input(description="Comparisons with a text attribute; every one given must hold.")
class StringFilter:
    eq: str | None = None
    ne: str | None = None
    in_: list[str] | None = strawberry.field(name="in", default=None, description=IN)
    exists: bool | None = strawberry.field(default=None, description=EXISTS)
    contains: str | None = strawberry.field(
        default=None, description="Contains this text, ignoring case."
    )


@strawberry.input(
    description="Comparisons with a date-time attribute (give a time zone); every one given "
    "must hold."
)
class DateTimeFilter:
    eq: datetime | None = None
    ne: datetime | None = None
    gt: datetime | None = None
    gte: datetime | None = None
    lt: datetime | None = None
    lte: datetime | None = None
    exists: bool | None = strawberry.field(default=None, description=EXISTS)


@strawberry.input(description="Comparisons with a true/false attribute.")
class BooleanFilter:
    eq: bool | None = None
    ne: bool | None = None
    exists: bool | None = strawberry.field(default=None, description=EXISTS)


OPERATORS: tuple[tuple[str, Comparison], ...] = (
    ("eq", Comparison.EQ),
    ("ne", Comparison.NE),
    ("gt", Comparison.GT),
    ("gte", Comparison.GTE),
    ("lt", Comparison.LT),
    ("lte", Comparison.LTE),
    ("in_", Comparison.IN),
    ("exists", Comparison.EXISTS),
    ("contains", Comparison.CONTAINS),
)
"""Filter field (Python name) -> the comparison it asks for, in this order."""


def conditions(where: object | None, attributes: Mapping[str, str]) -> tuple[Condition, ...]:
    """The conditions of a model's ``where``: ``attributes`` maps its fields to model names.

    Held to the same bounds as the generic ``entities(where:)`` (``gateway.query.where``)."""
    if where is None:
        return ()
    found: list[Condition] = []
    for field, attribute in attributes.items():
        comparisons = getattr(where, field, None)
        if comparisons is None:
            continue
        for name, op in OPERATORS:
            value = getattr(comparisons, name, None)
            if value is not None:
                path = f"where.{to_camel_case(field)}.{name.rstrip('_')}"
                found.append(Condition(attribute, op, check_value(path, op, plain(value, path))))
    if len(found) > MAX_CONDITIONS:
        raise BadUserInput(f"where: {len(found)} comparisons, at most {MAX_CONDITIONS} are allowed")
    return tuple(found)


def plain(value: object, path: str) -> JSONValue:
    """A filter value as the JSON value a Condition carries (date-times as ISO 8601 UTC)."""
    if isinstance(value, list):
        return [plain(v, path) for v in value]
    if isinstance(value, enum.Enum):
        return plain(value.value, path)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise BadUserInput(f"{path}: give a time zone, e.g. 2026-11-25T10:00:00Z")
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise BadUserInput(f"{path}: unsupported value")
