"""``where`` conditions as a SensorThings ``$filter`` on Things, where sound (ADR 0018).

An entity's attribute is the result of the latest Observation of the Datastream of its
observed property. "Some Observation of some Datastream of the Thing has a result that
compares so" (``Datastreams/Observations/result gt 25``) holds whenever the latest one
does, so the clause only ever widens what the adapter then keeps
(``adapters.sdk.conditions``). Pushed: ``EQ NE GT GTE LT LTE`` with a number and ``IN``
with numbers only, on an attribute read from Observations (not a Thing property) whose
results need no unit conversion (no model unit, or the configured unit is the model's).
The rest (strings, booleans, ``EXISTS``, ``CONTAINS``, converted units) stays with the
adapter and the gateway.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.contract import Comparison, Condition
from adapters.sdk.conditions import kind_of, plain_number
from adapters.sdk.models import model_unit
from adapters.sdk.units import unit
from adapters.sensorthings.config import TypeMapping

RESULT = "Datastreams/Observations/result"
_ODATA = {
    Comparison.EQ: "eq",
    Comparison.NE: "ne",
    Comparison.GT: "gt",
    Comparison.GTE: "ge",
    Comparison.LT: "lt",
    Comparison.LTE: "le",
}


def where_clauses(
    conditions: Iterable[Condition], entity_type: str, mapping: TypeMapping
) -> list[str]:
    """The ``$filter`` clauses (to be joined with ``and``) for the conditions that can be."""
    return [
        clause
        for c in conditions
        if _unconverted(c.attribute, entity_type, mapping) and (clause := _clause(c)) is not None
    ]


def _clause(condition: Condition) -> str | None:
    op, value = condition.op, condition.value
    if op is Comparison.IN:
        if not isinstance(value, list) or not all(kind_of(v) == "number" for v in value):
            return None
        return " or ".join(f"{RESULT} eq {plain_number(v)}" for v in value)
    symbol = _ODATA.get(op)
    if symbol is None or kind_of(value) != "number":
        return None
    return f"{RESULT} {symbol} {plain_number(value)}"


def _unconverted(attribute: str, entity_type: str, mapping: TypeMapping) -> bool:
    """True when ``attribute`` comes from Observations whose results the adapter gives as
    they are (in the model's unit, or without one)."""
    if attribute in mapping.thing_properties.values():
        return False
    keys = [key for key, name in mapping.properties.items() if name == attribute]
    if not keys:
        return False
    target = model_unit(entity_type, attribute)
    if target is None:
        return True
    return all(unit(mapping.units.get(key)) == target for key in keys)
