"""``where``: conditions on attribute values, as GraphQL inputs (issue 14, ADR 0018)."""

from __future__ import annotations

import enum

import strawberry
from strawberry.scalars import JSON

from adapters import contract
from gateway.query.where import check_where


@strawberry.enum(
    description="How a condition compares an attribute with its value; kinds never mix "
    "(a number with a number, a string with a string, a boolean with a boolean)."
)
class Comparison(enum.Enum):
    EQ = "EQ"
    NE = "NE"
    GT = "GT"
    GTE = "GTE"
    LT = "LT"
    LTE = "LTE"
    IN = "IN"
    EXISTS = "EXISTS"
    CONTAINS = "CONTAINS"


@strawberry.input(
    description="One condition on an attribute's value (Smart Data Models names and units); "
    "a list of them is combined with AND. An entity without the attribute (or with null) "
    "matches only `EXISTS false`."
)
class WhereCondition:
    attribute: str = strawberry.field(description='Attribute name, e.g. "pm25".')
    op: Comparison = strawberry.field(
        description="EQ NE GT GTE LT LTE: with a number, string (or, EQ NE, boolean); "
        "IN: a list of such values; EXISTS: true or false; CONTAINS: a string, "
        "case-insensitive."
    )
    value: JSON | None = strawberry.field(default=None, description="What to compare with.")


def to_conditions(where: list[WhereCondition] | None) -> tuple[contract.Condition, ...]:
    """The checked conditions of a ``where`` argument (BadUserInput naming the path)."""
    if where is None:
        return ()
    return check_where([(w.attribute, contract.Comparison[w.op.name], w.value) for w in where])
