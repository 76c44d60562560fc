"""A dataset's ``access``: the policy language, checked at load.

``access`` is ``public``, one grant, or a list of grants; the first grant whose
audience matches the caller applies, and a caller no grant matches is denied::

    access:
      - {clients: [smhi]}                           # this client: everything
      - scopes: {all_of: [caap:utility:read]}       # a token with these scopes:
        drop: [address]                             #   no address,
        coarsen_m: 500                              #   locations on a 500 m grid,
        older_than_min: 60                          #   only data an hour old,
        where: [{attribute: alarmTamper, op: eq, value: 0}]   # only these rows
      - {public: true, aggregate_only: true, min_group_size: 5}   # others: statistics

``scopes: [a, b]`` means any of a, b. Every message names city, dataset and rule
through the dotted key (``cities.malmo.datasets.Beach.access[1].coarsen_m``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, cast, get_args

from gateway.federation import fields
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import Access, Audience, Grant, RowFilter, RowOp, Rules
from gateway.federation.report import Report

_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
"""A scope-token of RFC 6749, section 3.3."""
_CLIENT_ID = re.compile(r"[\x20-\x7e]+")
"""A client_id of RFC 6749, appendix A.1 (VSCHAR)."""
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_AUDIENCE_KEYS = ("public", "scopes", "clients")
_RULE_KEYS = (
    "drop",
    "keep",
    "coarsen_m",
    "older_than_min",
    "aggregate_only",
    "min_group_size",
    "where",
)
_OPS: tuple[str, ...] = get_args(RowOp)
_SHAPE = 'must be "public", a grant such as {scopes: [...]}, or a list of grants'


def parse_access(report: Report, value: object, key: str) -> Access | None:
    """The grants of one dataset, or None if any is wrong (each reported)."""
    if value is UNRESOLVED:
        return None
    items: list[tuple[object, str]]
    if isinstance(value, list):
        if not value:
            report.add(key, "must list at least one grant")
            return None
        items = [(item, f"{key}[{i}]") for i, item in enumerate(value)]
    elif value == "public" or isinstance(value, dict):
        items = [(value, key)]
    else:
        report.add(key, _SHAPE)
        return None
    grants = [_grant(report, item, item_key) for item, item_key in items]
    if any(g is None for g in grants):
        return None
    checked = cast(list[Grant], grants)
    return Access(tuple(checked)) if _reachable(report, checked, items) else None


def _grant(report: Report, value: object, key: str) -> Grant | None:
    if value == "public":
        return Grant(Audience(public=True))
    if value is UNRESOLVED:
        return None
    if not isinstance(value, dict):
        report.add(key, 'a grant must be "public" or a mapping such as {scopes: [...]}')
        return None
    raw = fields.section(report, value, key, optional=_AUDIENCE_KEYS + _RULE_KEYS)
    if raw is None:
        return None
    audience = _audience(report, raw, key)
    rules = _rules(report, raw, key)
    if audience is None or rules is None or set(raw) - set(_AUDIENCE_KEYS + _RULE_KEYS):
        return None
    return Grant(audience, rules)


def _audience(report: Report, raw: Mapping[str, Any], key: str) -> Audience | None:
    if not any(name in raw for name in _AUDIENCE_KEYS):
        report.add(key, "say who may read: public: true, scopes, or clients")
        return None
    if "public" in raw:
        if raw["public"] is not True:
            report.add(
                f"{key}.public", "must be true (leave it out for a grant that needs a token)"
            )
            return None
        if "scopes" in raw or "clients" in raw:
            report.add(f"{key}.public", "a public grant cannot also require scopes or clients")
            return None
        return Audience(public=True)
    any_scopes: frozenset[str] | None = frozenset()
    all_scopes: frozenset[str] | None = frozenset()
    if "scopes" in raw:
        any_scopes, all_scopes = _scopes(report, raw["scopes"], f"{key}.scopes")
    clients = (
        _names(report, raw["clients"], f"{key}.clients", _CLIENT_ID, "a client id")
        if "clients" in raw
        else frozenset()
    )
    if any_scopes is None or all_scopes is None or clients is None:
        return None
    return Audience(any_scopes=any_scopes, all_scopes=all_scopes, clients=clients)


def _scopes(
    report: Report, value: object, key: str
) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """``[a, b]`` (any of) or ``{any_of: [...], all_of: [...]}``."""
    if isinstance(value, list):
        return _names(report, value, key, _SCOPE, "a scope"), frozenset()
    if not isinstance(value, dict):
        if value is not UNRESOLVED:
            report.add(
                key, "must be a list of scopes (any of them) or {any_of: [...], all_of: [...]}"
            )
        return None, None
    raw = fields.section(report, value, key, optional=("any_of", "all_of"))
    if raw is None or set(raw) - {"any_of", "all_of"}:
        return None, None
    if not raw:
        report.add(key, "give any_of, all_of or both")
        return None, None
    any_of: frozenset[str] | None = frozenset()
    all_of: frozenset[str] | None = frozenset()
    if "any_of" in raw:
        any_of = _names(report, raw["any_of"], f"{key}.any_of", _SCOPE, "a scope")
    if "all_of" in raw:
        all_of = _names(report, raw["all_of"], f"{key}.all_of", _SCOPE, "a scope")
    return any_of, all_of


def _names(
    report: Report, value: object, key: str, pattern: re.Pattern[str], what: str
) -> frozenset[str] | None:
    """A non-empty list of strings that each match ``pattern``."""
    if value is UNRESOLVED:
        return None
    if not isinstance(value, list) or not value:
        report.add(key, f"must be a non-empty list of {what.split(' ', 1)[1]}s")
        return None
    valid = True
    for index, item in enumerate(value):
        if item is UNRESOLVED:
            valid = False
        elif not isinstance(item, str) or not pattern.fullmatch(item):
            report.add(f"{key}[{index}]", _NAME_RULES[what])
            valid = False
    return frozenset(value) if valid else None


_NAME_RULES = {
    "a scope": "must be a scope: printable ASCII without spaces, quotes or backslashes",
    "a client id": "must be a client id: printable ASCII",
    "an attribute": "must be an attribute name: a letter or _, then letters, digits or _",
}


def _rules(report: Report, raw: Mapping[str, Any], key: str) -> Rules | None:
    ok = True

    def check(value: object) -> Any:
        nonlocal ok
        if value is None:
            ok = False
        return value

    drop = keep = None
    if "drop" in raw:
        drop = check(_names(report, raw["drop"], f"{key}.drop", _ATTRIBUTE, "an attribute"))
    if "keep" in raw:
        keep = check(_names(report, raw["keep"], f"{key}.keep", _ATTRIBUTE, "an attribute"))
        if "drop" in raw:
            report.add(f"{key}.keep", "give keep or drop, not both")
            ok = False
    coarsen = (
        check(_positive(report, raw["coarsen_m"], f"{key}.coarsen_m", "metres", 1e6))
        if "coarsen_m" in raw
        else None
    )
    older = (
        check(_positive(report, raw["older_than_min"], f"{key}.older_than_min", "minutes", 5.3e6))
        if "older_than_min" in raw
        else None
    )
    aggregate = raw.get("aggregate_only", False)
    if not isinstance(aggregate, bool):
        report.add(f"{key}.aggregate_only", "must be true or false")
        ok = False
    group = None
    if "min_group_size" in raw:
        group = check(fields.positive_int(report, raw["min_group_size"], f"{key}.min_group_size"))
        if aggregate is not True:
            report.add(
                f"{key}.min_group_size",
                "only with aggregate_only: true (rows shown would reveal small groups anyway)",
            )
            ok = False
    where: tuple[RowFilter, ...] | None = ()
    if "where" in raw:
        where = check(_where(report, raw["where"], f"{key}.where"))
    if not ok:
        return None
    return Rules(
        drop=drop or frozenset(),
        keep=keep,
        coarsen_m=coarsen,
        older_than_min=older,
        aggregate_only=aggregate is True,
        min_group_size=group,
        where=where or (),
    )


def _positive(report: Report, value: object, key: str, unit: str, maximum: float) -> float | None:
    if value is UNRESOLVED:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and 0 < value <= maximum)
    ):
        report.add(key, f"must be a positive number of {unit}, at most {maximum:g}")
        return None
    return float(value)


def _where(report: Report, value: object, key: str) -> tuple[RowFilter, ...] | None:
    if value is UNRESOLVED:
        return None
    if not isinstance(value, list) or not value:
        report.add(key, "must be a non-empty list of {attribute, op, value} row filters")
        return None
    filters = [_row_filter(report, item, f"{key}[{i}]") for i, item in enumerate(value)]
    return tuple(f for f in filters if f is not None) if all(filters) else None


def _row_filter(report: Report, value: object, key: str) -> RowFilter | None:
    raw = fields.section(report, value, key, required=("attribute", "op", "value"))
    if raw is None or set(raw) != {"attribute", "op", "value"}:
        return None
    attribute, op, operand = raw["attribute"], raw["op"], raw["value"]
    if attribute is UNRESOLVED or op is UNRESOLVED or operand is UNRESOLVED:
        return None
    if not isinstance(attribute, str) or not _ATTRIBUTE.fullmatch(attribute):
        report.add(f"{key}.attribute", _NAME_RULES["an attribute"])
        return None
    if op not in _OPS:
        report.add(f"{key}.op", f"unknown operator (allowed: {fields.allowed_list(_OPS)})")
        return None
    if op == "in":
        if not isinstance(operand, list) or not operand or not all(map(_scalar, operand)):
            report.add(f"{key}.value", "with op in: a non-empty list of strings, numbers or bools")
            return None
        return RowFilter(attribute, op, tuple(operand))
    ordered = op in ("lt", "le", "gt", "ge")
    if ordered and (isinstance(operand, bool) or not isinstance(operand, int | float | str)):
        report.add(f"{key}.value", f"with op {op}: a number or a string")
        return None
    if not _scalar(operand):
        report.add(f"{key}.value", f"with op {op}: a string, number or bool")
        return None
    return RowFilter(attribute, cast(RowOp, op), operand)


def _scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)


def _reachable(report: Report, grants: list[Grant], items: list[tuple[object, str]]) -> bool:
    """A grant after a public one, or after one with the same audience, never applies."""
    for index, grant in enumerate(grants):
        for earlier in range(index):
            if grants[earlier].audience.public or grants[earlier].audience == grant.audience:
                report.add(
                    items[index][1],
                    f"never applies: the grant at [{earlier}] matches every caller it would",
                )
                return False
    return True
