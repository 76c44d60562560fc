"""Row filters of a policy (``where``), evaluated on an entity's own attribute values.

An entity that lacks the attribute, or holds a value that cannot be compared
(a string against a number, a list, an object), fails the filter: when in doubt
a row is not shown.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gateway.federation.model import RowFilter

_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def passes(attributes: Mapping[str, Any], filters: Sequence[RowFilter]) -> bool:
    """True when ``attributes`` satisfy every filter."""
    return all(_one(attributes, f) for f in filters)


def _one(attributes: Mapping[str, Any], row_filter: RowFilter) -> bool:
    if row_filter.attribute not in attributes:
        return False
    value = attributes[row_filter.attribute]
    if not _comparable_scalar(value):
        return False
    op, operand = row_filter.op, row_filter.value
    if op == "in":
        return any(_same(value, item) for item in operand)
    if op == "eq":
        return _same(value, operand)
    if op == "ne":
        return not _same(value, operand)
    if isinstance(value, bool) or _kind(value) != _kind(operand):
        return False
    return _ORDERED[op](value, operand)


def _same(value: object, operand: object) -> bool:
    """Equal and of the same kind: ``1 == True`` and ``"1" == 1`` do not hold here."""
    if isinstance(value, bool) or isinstance(operand, bool):
        return type(value) is type(operand) and value == operand
    return _kind(value) == _kind(operand) and value == operand


def _kind(value: object) -> str:
    return "number" if isinstance(value, int | float) else type(value).__name__


def _comparable_scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)
