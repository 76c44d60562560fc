"""A caller's ``where`` conditions, checked and bounded (issue 14, ADR 0018).

What a condition means is defined once, in ``adapters.sdk.conditions``; here only
what a caller may ask: a bounded number of conditions, names an attribute can
have, and for each comparison a value of the kind it needs. Errors name the path,
e.g. ``where[1].value: IN needs a list``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapters.contract import Comparison, Condition, JSONValue
from gateway.errors import BadUserInput

MAX_CONDITIONS = 16
"""Conditions in one ``where``."""
MAX_IN_VALUES = 100
"""Members of an ``IN`` list."""
MAX_STRING_LENGTH = 256
"""Characters of a string value."""
MAX_SAFE_INTEGER = 2**53
"""Integers beyond this are not exact in every platform's JSON (a JavaScript double)."""
ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,127}")
"""What an attribute of the common model is called (at most 128 characters; Smart Data
Models has names such as ``N-TOT``)."""
NOT_ATTRIBUTES = {
    "id": "id is not an attribute: use entity lookup",
    "type": "type is not an attribute: it is the query's type",
    "location": "location is not an attribute: use filter.near or filter.within",
}
"""Names ``where`` refuses; a ``location`` condition would also see an exact location
that a grant coarsens (ADR 0018)."""

_ORDERED = frozenset({Comparison.GT, Comparison.GTE, Comparison.LT, Comparison.LTE})


def check_where(
    conditions: Sequence[tuple[str, Comparison, JSONValue]] | None,
) -> tuple[Condition, ...]:
    """``(attribute, op, value)`` triples as checked Conditions; BadUserInput naming the path."""
    if not conditions:
        return ()
    if len(conditions) > MAX_CONDITIONS:
        raise BadUserInput(
            f"where: {len(conditions)} conditions, at most {MAX_CONDITIONS} are allowed"
        )
    return tuple(
        _condition(f"where[{i}]", attribute, op, value)
        for i, (attribute, op, value) in enumerate(conditions)
    )


def _condition(path: str, attribute: str, op: Comparison, value: JSONValue) -> Condition:
    if attribute in NOT_ATTRIBUTES:
        raise BadUserInput(f"{path}.attribute: {NOT_ATTRIBUTES[attribute]}")
    if not ATTRIBUTE.fullmatch(attribute):
        raise BadUserInput(
            f"{path}.attribute: not an attribute name (a letter, then letters, digits, _ or -; "
            "at most 128 characters), such as temperature"
        )
    return Condition(attribute, op, check_value(f"{path}.value", op, value))


def check_value(path: str, op: Comparison, value: JSONValue) -> JSONValue:
    """``value`` as ``op`` needs it, within bounds; BadUserInput naming ``path``."""
    if op is Comparison.EXISTS:
        if not isinstance(value, bool):
            raise BadUserInput(f"{path}: EXISTS needs true or false")
        return value
    if op is Comparison.IN:
        if not isinstance(value, list) or not value:
            raise BadUserInput(f"{path}: IN needs a list of 1 to {MAX_IN_VALUES} values")
        if len(value) > MAX_IN_VALUES:
            raise BadUserInput(
                f"{path}: IN has {len(value)} values, at most {MAX_IN_VALUES} are allowed"
            )
        return [_scalar(f"{path}[{i}]", "IN", item) for i, item in enumerate(value)]
    if op is Comparison.CONTAINS:
        if not isinstance(value, str) or not value:
            raise BadUserInput(f"{path}: CONTAINS needs a non-empty string")
        return _scalar(path, "CONTAINS", value)
    checked = _scalar(path, op.name, value)
    if op in _ORDERED and isinstance(checked, bool):
        raise BadUserInput(f"{path}: {op.name} needs a number or a string")
    return checked


def _scalar(path: str, op_name: str, value: JSONValue) -> JSONValue:
    """A string, a finite number or a bool, within bounds."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            raise BadUserInput(f"{path}: a string of at most {MAX_STRING_LENGTH} characters")
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise BadUserInput(f"{path}: integers are limited to ±2^53")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadUserInput(f"{path}: not a finite number")
        return value
    what = "null" if value is None else "a list" if isinstance(value, list) else "an object"
    hint = " (use EXISTS false for an absent value)" if value is None else ""
    raise BadUserInput(f"{path}: {op_name} needs a string, a number or a boolean, not {what}{hint}")
