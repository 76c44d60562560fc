"""What a ``Condition`` on an attribute value means, defined once (issue 14, ADR 0018).

Adapters use ``holds`` to keep their pages full; the gateway applies it to every
answer (gateway/query/filtering.py), so a push-down only saves traffic.

- Only scalars compare: numbers (``int``/``float``, finite; a ``bool`` is not a
  number), strings and booleans. A list, an object, null or an absent attribute
  never matches, except ``EXISTS false``.
- Kinds never mix: a number with a number (1 equals 1.0), a string with a string,
  a bool with a bool; any other pair does not match, for ``NE`` too.
- ``GT``/``GTE``/``LT``/``LTE``: numbers or strings (code-point order, so ISO 8601
  date-times in UTC compare by time); booleans are not ordered.
- ``IN``: equals (as ``EQ``) one member of the list.
- ``EXISTS``: present and not null (``true``), or absent or null (``false``).
- ``CONTAINS``: the value, case-folded, is a substring of the string attribute, case-folded.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from adapters.contract import Comparison, Condition, JSONValue

_ORDER: dict[Comparison, Callable[[Any, Any], bool]] = {
    Comparison.GT: operator.gt,
    Comparison.GTE: operator.ge,
    Comparison.LT: operator.lt,
    Comparison.LTE: operator.le,
}


def holds(condition: Condition, attributes: Mapping[str, JSONValue]) -> bool:
    """True when ``attributes`` (an entity's, keyValues form) satisfy ``condition``."""
    value = attributes.get(condition.attribute)
    op, operand = condition.op, condition.value
    if op is Comparison.EXISTS:
        return (value is not None) is (operand is True)
    kind = kind_of(value)
    if kind is None:
        return False
    if op is Comparison.EQ:
        return same(value, operand)
    if op is Comparison.NE:
        return kind == kind_of(operand) and value != operand
    if op is Comparison.IN:
        return isinstance(operand, list | tuple) and any(same(value, item) for item in operand)
    if op is Comparison.CONTAINS:
        return (
            kind == "string"
            and isinstance(operand, str)
            and operand.casefold() in str(value).casefold()
        )
    if kind == "bool" or kind != kind_of(operand):
        return False
    return _ORDER[op](value, operand)


def all_hold(conditions: Iterable[Condition], attributes: Mapping[str, JSONValue]) -> bool:
    """True when every condition holds (an empty list holds)."""
    return all(holds(c, attributes) for c in conditions)


def same(value: object, operand: object) -> bool:
    """Equal and of one comparable kind: ``1 == 1.0``; not ``1 == True``, not ``"1" == 1``."""
    kind = kind_of(value)
    return kind is not None and kind == kind_of(operand) and value == operand


def kind_of(value: object) -> str | None:
    """``"number"``, ``"string"`` or ``"bool"``; None for what never compares (null,
    a list, an object, a non-finite number)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "number"
    if isinstance(value, float):
        return "number" if math.isfinite(value) else None
    if isinstance(value, str):
        return "string"
    return None


def plain_number(value: float) -> str:
    """A number as decimal digits, never an exponent (``1e-07`` -> ``0.0000001``): the form
    every platform's query grammar takes (NGSI-LD ``q``, OData ``$filter``)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
