"""``where`` conditions as NGSI-LD ``q`` clauses (GS CIM 009 clause 4.9), where sound.

The gateway applies every condition itself (``adapters.sdk.conditions``), so a clause
is pushed only when the broker keeps at least what the gateway keeps; anything else
stays gateway-only (ADR 0018):

- ``EQ``/``IN`` on a number, a boolean or a plain string; ``GT``/``GTE``/``LT``/``LTE``
  on a number; ``NE`` on a number or a boolean; ``EXISTS true``.
- Not pushed: string order (brokers collate and type DateTimes their own way),
  ``EXISTS false`` (a null value is absent to the gateway, present to a broker),
  ``CONTAINS`` (``~=`` regular expressions differ between brokers), a string that a
  broker could read as a DateTime, Date, Time or URI, or holding a character the
  grammar's quoting does not cover everywhere (only letters, digits, space, ``_-.``).
- Numbers only where the value the adapter gives is the broker's own: in
  ``normalized`` form a ``unitCode`` may be converted to the Smart Data Models unit
  per entity, so an attribute with a model unit is compared in the gateway.
- Names: only a name the request's ``@context`` expands to an IRI that the adapter
  compacts back to the same name (the broker then tests the attribute the gateway sees).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from adapters.contract import Comparison, Condition, JSONValue
from adapters.ngsi_ld.config import TypeSettings
from adapters.ngsi_ld.contexts import TermMap
from adapters.sdk.conditions import kind_of, plain_number
from adapters.sdk.models import model_unit

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PLAIN_STRING = re.compile(r"[\w .-]+")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SYMBOL = {
    Comparison.EQ: "==",
    Comparison.NE: "!=",
    Comparison.GT: ">",
    Comparison.GTE: ">=",
    Comparison.LT: "<",
    Comparison.LTE: "<=",
}


def where_clauses(
    conditions: Iterable[Condition], entity_type: str, settings: TypeSettings, terms: TermMap
) -> list[str]:
    """The ``q`` clauses (to be joined with ``;``) for the conditions that can be pushed."""
    return [
        clause
        for c in conditions
        if (clause := _clause(c, entity_type, settings, terms)) is not None
    ]


def _clause(
    condition: Condition, entity_type: str, settings: TypeSettings, terms: TermMap
) -> str | None:
    name, op, value = condition.attribute, condition.op, condition.value
    if not _NAME.fullmatch(name) or terms.compact(terms.expand(name)) != name:
        return None
    converted = settings.format == "normalized" and model_unit(entity_type, name) is not None
    if op is Comparison.EXISTS:
        return name if value is True else None
    values = value if op is Comparison.IN and isinstance(value, list) else [value]
    literals = [_literal(v, op, numbers=not converted) for v in values]
    if not literals or any(literal is None for literal in literals):
        return None
    symbol = "==" if op is Comparison.IN else _SYMBOL.get(op)
    if symbol is None:
        return None
    return f"{name}{symbol}{','.join(str(lit) for lit in literals)}"


def _literal(value: JSONValue, op: Comparison, *, numbers: bool) -> str | None:
    """``value`` as a q literal, or None when comparing it there is not sound."""
    kind = kind_of(value)
    if kind == "number" and numbers:
        return plain_number(value)
    if kind == "bool" and op in (Comparison.EQ, Comparison.NE, Comparison.IN):
        return "true" if value else "false"
    if (
        kind == "string"
        and op in (Comparison.EQ, Comparison.IN)
        and isinstance(value, str)
        and _PLAIN_STRING.fullmatch(value)
        and not _DATE_LIKE.match(value)
    ):
        return f'"{value}"'
    return None
